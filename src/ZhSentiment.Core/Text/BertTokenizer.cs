using System.Runtime.CompilerServices;

namespace ZhSentiment.Text;

/// <summary>
/// The BERT WordPiece tokenizer, token for token and id for id as Hugging Face's <c>tokenizers</c> (Rust) encodes:
/// added tokens typed in the text ([SEP], [MASK]...) are kept whole, the rest goes through
/// <see cref="BertNormalizer"/>, <see cref="BertPreTokenizer"/> and <see cref="WordPiece"/>.
/// Immutable and thread-safe; <see cref="EncodeTo"/> allocates nothing beyond the ids it appends.
/// </summary>
public sealed class BertTokenizer : ISubwordTokenizer
{
    private readonly BertNormalizer _normalizer;
    private readonly WordPiece _wordPiece;
    private readonly Vocabulary _vocabulary;
    private readonly AddedTokenMatcher _rawMatcher;
    private readonly AddedTokenMatcher _normalizedMatcher;
    private readonly Dictionary<int, string> _addedContent;

    internal BertTokenizer(BertNormalizer normalizer, WordPiece wordPiece, Vocabulary vocabulary, IEnumerable<AddedToken> addedTokens,
        int clsTokenId, int sepTokenId, int padTokenId)
    {
        RuntimeHelpers.RunClassConstructor(typeof(BertUnicode).TypeHandle); // build the character tables now, not on the first request
        _normalizer = normalizer;
        _wordPiece = wordPiece;
        _vocabulary = vocabulary;

        var added = AddedToken.AssignIds(addedTokens, t => vocabulary.TryGetId(t, out int id) ? id : null, vocabulary.Count);
        _addedContent = added.ToDictionary(a => a.Id, a => a.Token.Content);
        _rawMatcher = new AddedTokenMatcher(added.Where(a => !a.Token.Normalized).Select(a => (a.Token.Content, a.Id, a.Token)));
        _normalizedMatcher = new AddedTokenMatcher(added.Where(a => a.Token.Normalized).Select(a => (normalizer.Normalize(a.Token.Content), a.Id, a.Token)));

        VocabularySize = Math.Max(vocabulary.IdLimit, added.Count == 0 ? 0 : added.Max(a => a.Id) + 1);
        ClsTokenId = clsTokenId;
        SepTokenId = sepTokenId;
        PadTokenId = padTokenId;
    }

    /// <summary>
    /// Loads the tokenizer of a model folder: <c>tokenizer.json</c> when present, else <c>vocab.txt</c> with the
    /// optional <c>tokenizer_config.json</c> (transformers' defaults where it is silent: lowercase on).
    /// </summary>
    /// <exception cref="ModelFormatException">The folder has no usable tokenizer, or it is not a BERT WordPiece one.</exception>
    public static BertTokenizer Load(string modelDirectory) => BertTokenizerLoader.Load(modelDirectory);

    public int ClsTokenId { get; }
    public int SepTokenId { get; }
    public int PadTokenId { get; }
    public int UnkTokenId => _wordPiece.UnknownId;

    /// <summary>One more than the largest token id: the number of rows the model's embedding needs.</summary>
    public int VocabularySize { get; }

    internal BertNormalizer Normalizer => _normalizer;

    /// <summary>The tokens of <paramref name="text"/>, without [CLS]/[SEP].</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var sink = new TokenStringSink(tokens, IdToToken);
        Encode(text, ref sink);
        return tokens;
    }

    /// <summary>Appends the token ids of <paramref name="text"/> to <paramref name="ids"/>, without [CLS]/[SEP].</summary>
    public void EncodeTo(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sink = new IdSink(ids);
        Encode(text, ref sink);
    }

    /// <summary>The token of an id (an added token's content for its id).</summary>
    public string IdToToken(int id) =>
        _addedContent.TryGetValue(id, out var content) ? content
        : _vocabulary.GetToken(id) ?? throw new ArgumentOutOfRangeException(nameof(id), id, "No token has this id.");

    public override string ToString() =>
        $"BERT WordPiece, {VocabularySize} ids, lowercase {OnOff(_normalizer.Lowercase)}, strip accents {OnOff(_normalizer.StripAccents)}, " +
        $"Chinese characters split {OnOff(_normalizer.HandleChineseChars)}, clean text {OnOff(_normalizer.CleanText)}";

    private static string OnOff(bool value) => value ? "on" : "off";

    private void Encode<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITokenSink
    {
        var normalized = new PooledBuffer<char>(text.Length + text.Length / 2 + 8);
        try
        {
            int segment = 0;
            if (!_rawMatcher.IsEmpty)
            {
                for (int from = 0; _rawMatcher.TryMatch(text, from, segment, out int start, out int end, out int id); from = end)
                {
                    EncodeSegment(text[segment..start], ref normalized, ref sink);
                    sink.AddMatched(id, text[start..end]);
                    segment = end;
                }
            }
            EncodeSegment(text[segment..], ref normalized, ref sink);
        }
        finally
        {
            normalized.Dispose();
        }
    }

    private void EncodeSegment<TSink>(ReadOnlySpan<char> raw, ref PooledBuffer<char> normalized, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (raw.IsEmpty) return;
        normalized.Clear();
        _normalizer.Normalize(raw, ref normalized);
        var text = normalized.Span;
        int segment = 0;
        if (!_normalizedMatcher.IsEmpty)
        {
            for (int from = 0; _normalizedMatcher.TryMatch(text, from, segment, out int start, out int end, out int id); from = end)
            {
                EncodeWords(text[segment..start], ref sink);
                sink.AddMatched(id, text[start..end]);
                segment = end;
            }
        }
        EncodeWords(text[segment..], ref sink);
    }

    private void EncodeWords<TSink>(ReadOnlySpan<char> normalized, ref TSink sink) where TSink : struct, ITokenSink
    {
        foreach (var word in new BertPreTokenizer(normalized)) _wordPiece.Tokenize(word, ref sink);
    }
}
