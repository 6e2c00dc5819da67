using ZhSentiment.Text;

namespace ZhSentiment.Inference;

/// <summary>BERT's input: WordPiece ids, each window framed by [CLS] … [SEP].</summary>
public sealed class BertTextEncoder(BertTokenizer tokenizer) : ITextEncoder
{
    private readonly int[] _prefix = [tokenizer.ClsTokenId];
    private readonly int[] _suffix = [tokenizer.SepTokenId];

    public BertTokenizer Tokenizer { get; } = tokenizer;

    public ReadOnlySpan<int> Prefix => _prefix;
    public ReadOnlySpan<int> Suffix => _suffix;

    public void Encode(string text, List<int> ids) => Tokenizer.EncodeTo(text, ids);

    public string IdToToken(int id) => Tokenizer.IdToToken(id);
}
