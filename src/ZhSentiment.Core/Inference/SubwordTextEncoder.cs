using ZhSentiment.Text;

namespace ZhSentiment.Inference;

/// <summary>A transformer's input: subword ids, each window framed by [CLS] … [SEP] (BERT) or &lt;s&gt; … &lt;/s&gt; (XLM-R).</summary>
public sealed class SubwordTextEncoder(ISubwordTokenizer tokenizer) : ITextEncoder
{
    private readonly int[] _prefix = [tokenizer.ClsTokenId];
    private readonly int[] _suffix = [tokenizer.SepTokenId];

    public ISubwordTokenizer Tokenizer { get; } = tokenizer;

    public ReadOnlySpan<int> Prefix => _prefix;
    public ReadOnlySpan<int> Suffix => _suffix;

    public void Encode(string text, List<int> ids) => Tokenizer.EncodeTo(text, ids);

    public string IdToToken(int id) => Tokenizer.IdToToken(id);
}
