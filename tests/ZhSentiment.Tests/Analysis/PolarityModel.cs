using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Analysis;

/// <summary>
/// A transparent sentiment model for testing analysis: each character is a token, and the logits are
/// [count of 差 and 惜, count of 好], so P(Positive) = σ(好 − 差 − 惜) and a test can work out any answer by hand.
/// With <see cref="Neutral"/>, a middle class of logit 0 makes it a three-class model (负面, 中性, 正面).
/// </summary>
internal sealed class PolarityModel(bool neutral = false) : IClassifierBackend, ITextEncoder
{
    private static readonly int[] PrefixIds = [1], SuffixIds = [2];

    public bool Neutral { get; } = neutral;
    public int LabelCount => Neutral ? 3 : 2;
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
            var row = logits.Slice(r * LabelCount, LabelCount);
            row[0] = bad;
            row[^1] = good;
            if (Neutral) row[1] = 0;
        }
    }

    /// <summary>P(Positive) of a text.</summary>
    public static float Positive(string text) => 1f / (1f + MathF.Exp(text.Count(c => c is '差' or '惜') - text.Count(c => c == '好')));

    public static SentimentEngine Engine(bool neutral = false)
    {
        var model = new PolarityModel(neutral);
        return new SentimentEngine(model, model, LabelSet.FromModelLabels(neutral ? ["负面", "中性", "正面"] : ["负面", "正面"]),
            new ModelInfo { Name = "polarity", Source = "test", Folder = "test", Architecture = "test", MaxSequenceLength = model.MaxSequenceLength });
    }

    public void Dispose() { }
}
