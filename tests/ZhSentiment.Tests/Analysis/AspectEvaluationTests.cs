using ZhSentiment.Analysis;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Analysis;

public class AspectEvaluationTests
{
    [Fact]
    public void Balanced_accuracy_is_the_mean_of_the_per_class_recalls()
    {
        var e = new AspectEvaluation();
        // Four Positive triples all right, two Negative ones half right, one Neutral wrong, one aspect missed, one spurious.
        e.Add(new Dictionary<string, string> { ["a"] = LabelSet.Positive, ["b"] = LabelSet.Positive, ["c"] = LabelSet.Negative },
            [("a", LabelSet.Positive), ("b", LabelSet.Positive), ("c", LabelSet.Negative), ("x", LabelSet.Positive)]);
        e.Add(new Dictionary<string, string> { ["a"] = LabelSet.Positive, ["b"] = LabelSet.Positive, ["c"] = LabelSet.Negative, ["d"] = LabelSet.Neutral, ["e"] = LabelSet.Negative },
            [("a", LabelSet.Positive), ("b", LabelSet.Positive), ("c", LabelSet.Positive), ("d", LabelSet.Negative), ("e", null)]);

        Assert.Equal(7, e.TruePositives);
        Assert.Equal(1, e.FalsePositives);
        Assert.Equal(1, e.FalseNegatives);
        Assert.Equal(5.0 / 7, e.PolarityAccuracy, 9);
        Assert.Equal(new Dictionary<string, double> { [LabelSet.Negative] = 0.5, [LabelSet.Neutral] = 0, [LabelSet.Positive] = 1 }, e.PolarityRecall);
        Assert.Equal((1 + 0.5 + 0) / 3, e.BalancedPolarityAccuracy, 9);
    }

    [Fact]
    public void Answering_the_majority_class_scores_a_coin_on_balanced_accuracy()
    {
        var e = new AspectEvaluation();
        for (int i = 0; i < 9; i++) e.Add(new Dictionary<string, string> { ["a"] = LabelSet.Positive }, [("a", LabelSet.Positive)]);
        e.Add(new Dictionary<string, string> { ["a"] = LabelSet.Negative }, [("a", LabelSet.Positive)]);
        Assert.Equal(0.9, e.PolarityAccuracy, 9);
        Assert.Equal(0.5, e.BalancedPolarityAccuracy, 9);
    }

    [Theory]
    [InlineData(10, "< 50")]
    [InlineData(49, "< 50")]
    [InlineData(50, "50-199")]
    [InlineData(199, "50-199")]
    [InlineData(200, ">= 200")]
    [InlineData(340, ">= 200")]
    public void Texts_fall_in_length_bands_by_their_characters(int length, string band) =>
        Assert.Equal(band, AspectEvaluation.LengthBand(new string('好', length)));
}
