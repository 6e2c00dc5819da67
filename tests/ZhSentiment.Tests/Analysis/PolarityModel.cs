using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Analysis;

/// <summary>
/// A transparent sentiment model for testing analysis: each character is a token, and the logits are
/// [count of 差 and 惜, count of 好], so P(Positive) = σ(好 − 差 − 惜) and a test can work out any answer by hand.
/// </summary>
internal sealed class PolarityModel : IClassifierBackend, ITextEncoder
{
    private static readonly int[] PrefixIds = [1], SuffixIds = [2];

    public int LabelCount => 2;
    public int MaxSequenceLength => 512;
    public ReadOnlySpan<int> Prefix => PrefixIds;
    public ReadOnlySpan<int> Suffix => SuffixIds;

    public void Encode(string text, List<int> ids)
    {
        foreach (var c in text) ids.Add(c);
    }

    public string IdToToken(int id) => ((char)id).ToString();

    public void Run(EncodedBatch batch, Span<float> logits)
    {
        for (int r = 0; r < batch.Rows; r++)
        {
            int good = 0, bad = 0;
            for (int i = 0; i < batch.SequenceLength; i++)
            {
                int at = r * batch.SequenceLength + i;
                if (batch.AttentionMask[at] == 0) continue;
                if (batch.InputIds[at] == '好') good++;
                if (batch.InputIds[at] is '差' or '惜') bad++;
            }
            logits[r * 2] = bad;
            logits[r * 2 + 1] = good;
        }
    }

    /// <summary>P(Positive) of a text.</summary>
    public static float Positive(string text) => 1f / (1f + MathF.Exp(text.Count(c => c is '差' or '惜') - text.Count(c => c == '好')));

    public static SentimentEngine Engine()
    {
        var model = new PolarityModel();
        return new SentimentEngine(model, model, LabelSet.FromModelLabels(["负面", "正面"]),
            new ModelInfo { Name = "polarity", Source = "test", Architecture = "test", MaxSequenceLength = model.MaxSequenceLength });
    }

    public void Dispose() { }
}
