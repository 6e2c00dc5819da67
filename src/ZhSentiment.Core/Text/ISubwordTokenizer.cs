namespace ZhSentiment.Text;

/// <summary>
/// A model's tokenizer, as a folder's tokenizer files describe it: BERT's WordPiece (<see cref="BertTokenizer"/>)
/// or SentencePiece's Unigram (<see cref="SentencePieceTokenizer"/>, XLM-RoBERTa). Immutable and thread-safe.
/// </summary>
public interface ISubwordTokenizer
{
    /// <summary>The token that opens every sequence: [CLS], or &lt;s&gt;.</summary>
    int ClsTokenId { get; }

    /// <summary>The token that closes every sequence: [SEP], or &lt;/s&gt;.</summary>
    int SepTokenId { get; }

    int PadTokenId { get; }
    int UnkTokenId { get; }

    /// <summary>One more than the largest token id: the number of rows the model's embedding needs.</summary>
    int VocabularySize { get; }

    /// <summary>The tokens of <paramref name="text"/>, without the framing tokens, as HF's tokenizer spells them.</summary>
    IReadOnlyList<string> Tokenize(string text);

    /// <summary>Appends the token ids of <paramref name="text"/> to <paramref name="ids"/>, without the framing tokens.</summary>
    void EncodeTo(ReadOnlySpan<char> text, List<int> ids);

    /// <summary>The token of an id (an added token's content for its id).</summary>
    string IdToToken(int id);
}
