using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

public class WindowCombinerTests
{
    private static float[] Combine(params float[][] windowProbabilities)
    {
        int labels = windowProbabilities[0].Length;
        var logits = windowProbabilities.SelectMany(p => p.Select(x => MathF.Log(x))).ToArray();
        var probabilities = new float[labels];
        var set = LabelSet.FromModelLabels([.. Enumerable.Range(0, labels).Select(i => "class " + i)]);
        WindowCombiner.Combine(logits, windowProbabilities.Length, probabilities, new float[labels], set);
        return probabilities;
    }

    [Fact]
    public void One_window_keeps_its_probabilities()
    {
        var p = Combine([0.3f, 0.7f]);
        Assert.Equal(0.3f, p[0], 1e-6f);
        Assert.Equal(0.7f, p[1], 1e-6f);
    }

    [Fact]
    public void A_strong_last_window_outweighs_mild_earlier_ones()
    {
        // Three windows of mild praise, then a decisive complaint: averaging would say Positive (0.61).
        var p = Combine([0.2f, 0.8f], [0.25f, 0.75f], [0.2f, 0.8f], [0.97f, 0.03f]);
        Assert.True(p[0] > 0.5f, $"negative {p[0]}");
        Assert.Equal(1f, p[0] + p[1], 1e-5f);
    }

    [Fact]
    public void Agreeing_windows_agree_and_undecided_ones_stay_undecided()
    {
        Assert.True(Combine([0.1f, 0.9f], [0.3f, 0.7f], [0.2f, 0.8f])[1] > 0.7f);
        var undecided = Combine([0.5f, 0.5f], [0.5f, 0.5f]);
        Assert.Equal(0.5f, undecided[0], 1e-6f);
    }

    [Fact]
    public void A_strong_early_verdict_survives_mild_later_windows()
    {
        var p = Combine([0.02f, 0.98f], [0.45f, 0.55f], [0.55f, 0.45f]);
        Assert.True(p[1] > 0.5f, $"positive {p[1]}");
    }
}
