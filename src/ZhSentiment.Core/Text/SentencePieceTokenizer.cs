using System.Buffers;

namespace ZhSentiment.Text;

/// <summary>
/// A SentencePiece Unigram tokenizer read from <c>tokenizer.json</c> (XLM-RoBERTa's), token for token and id for id
/// as Hugging Face's <c>tokenizers</c> (Rust) encodes: added tokens typed in the text (&lt;s&gt;, &lt;mask&gt;...) are
/// kept whole, the rest goes through the normalizer (<see cref="PrecompiledNormalizer"/>, <see cref="StripNormalizer"/>,
/// <see cref="ReplaceNormalizer"/>), <see cref="Metaspace"/> and <see cref="Unigram"/>. Immutable and thread-safe;
/// <see cref="EncodeTo"/> allocates nothing beyond the ids it appends once the array pool is warm.
/// </summary>
public sealed class SentencePieceTokenizer : ISubwordTokenizer
{
    private readonly ISpanNormalizer _normalizer;
    private readonly Metaspace _metaspace;
    private readonly Unigram _model;
    private readonly AddedTokenMatcher _rawMatcher;
    private readonly AddedTokenMatcher _normalizedMatcher;
    private readonly Dictionary<int, string> _addedContent;

    internal SentencePieceTokenizer(ISpanNormalizer normalizer, Metaspace metaspace, Unigram model, IEnumerable<AddedToken> addedTokens,
        int clsTokenId, int sepTokenId, int padTokenId)
    {
        _normalizer = normalizer;
        _metaspace = metaspace;
        _model = model;
        var added = AddedToken.AssignIds(addedTokens, t => model.TryGetId(t, out int id) ? id : null, model.Count);
        _addedContent = added.ToDictionary(a => a.Id, a => a.Token.Content);
        _rawMatcher = new AddedTokenMatcher(added.Where(a => !a.Token.Normalized).Select(a => (a.Token.Content, a.Id, a.Token)));
        _normalizedMatcher = new AddedTokenMatcher(added.Where(a => a.Token.Normalized).Select(a => (Normalize(a.Token.Content), a.Id, a.Token)));
        VocabularySize = Math.Max(model.Count, added.Count == 0 ? 0 : added.Max(a => a.Id) + 1);
        ClsTokenId = clsTokenId;
        SepTokenId = sepTokenId;
        PadTokenId = padTokenId;
    }

    public int ClsTokenId { get; }
    public int SepTokenId { get; }
    public int PadTokenId { get; }
    public int UnkTokenId => _model.UnknownId;
    public int VocabularySize { get; }

    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var sink = new TokenStringSink(tokens, IdToToken);
        Encode(text, ref sink);
        return tokens;
    }

    public void EncodeTo(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sink = new IdSink(ids);
        Encode(text, ref sink);
    }

    public string IdToToken(int id) =>
        _addedContent.TryGetValue(id, out var content) ? content
        : (uint)id < (uint)_model.Count ? _model.Piece(id)
        : throw new ArgumentOutOfRangeException(nameof(id), id, "No token has this id.");

    public override string ToString() =>
        $"SentencePiece Unigram, {VocabularySize} ids, metaspace '{_metaspace.Replacement}', byte fallback {(_model.ByteFallback ? "on" : "off")}";

    /// <summary>The normalizer's output for <paramref name="text"/> (for tests and diagnostics).</summary>
    internal string Normalize(string text)
    {
        var output = new PooledBuffer<char>(text.Length);
        try
        {
            _normalizer.Normalize(text, ref output);
            return output.Span.ToString();
        }
        finally
        {
            output.Dispose();
        }
    }

    private void Encode<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITokenSink
    {
        // HF's tokenizer works on Rust strings: an unpaired surrogate has already become U+FFFD.
        PooledBuffer<char> scalars = default;
        var normalized = new PooledBuffer<char>(text.Length + text.Length / 2 + 8);
        var rewritten = new PooledBuffer<char>(text.Length + text.Length / 2 + 8);
        try
        {
            if (HasUnpairedSurrogate(text))
            {
                scalars = new PooledBuffer<char>(text.Length);
                scalars.AddRange(text);
                ReplaceUnpairedSurrogates(scalars.Span);
                text = scalars.Span;
            }
            int segment = 0;
            if (!_rawMatcher.IsEmpty)
            {
                for (int from = 0; _rawMatcher.TryMatch(text, from, segment, out int start, out int end, out int id); from = end)
                {
                    EncodeSegment(text[segment..start], segment == 0, ref normalized, ref rewritten, ref sink);
                    sink.AddMatched(id, text[start..end]);
                    segment = end;
                }
            }
            EncodeSegment(text[segment..], segment == 0, ref normalized, ref rewritten, ref sink);
        }
        finally
        {
            scalars.Dispose();
            normalized.Dispose();
            rewritten.Dispose();
        }
    }

    private void EncodeSegment<TSink>(ReadOnlySpan<char> raw, bool atTextStart, ref PooledBuffer<char> normalized, ref PooledBuffer<char> rewritten, ref TSink sink) where TSink : struct, ITokenSink
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
                EncodeWords(text[segment..start], atTextStart && segment == 0, ref rewritten, ref sink);
                sink.AddMatched(id, text[start..end]);
                segment = end;
            }
        }
        EncodeWords(text[segment..], atTextStart && segment == 0, ref rewritten, ref sink);
    }

    private void EncodeWords<TSink>(ReadOnlySpan<char> normalized, bool atTextStart, ref PooledBuffer<char> rewritten, ref TSink sink) where TSink : struct, ITokenSink
    {
        rewritten.Clear();
        _metaspace.Rewrite(normalized, atTextStart, ref rewritten);
        foreach (var word in _metaspace.Split(rewritten.Span)) _model.Tokenize(word, ref sink);
    }

    // SearchValues: IndexOfAnyInRange allocated 96 bytes a call here (.NET 10, measured).
    private static readonly SearchValues<char> Surrogates = SearchValues.Create(Enumerable.Range(0xD800, 0x800).Select(c => (char)c).ToArray());

    private static bool HasUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        for (int i = text.IndexOfAny(Surrogates); i >= 0 && i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else return true;
        }
        return false;
    }

    private static void ReplaceUnpairedSurrogates(Span<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else text[i] = '\uFFFD';
        }
    }
}
