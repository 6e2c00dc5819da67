using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

public class LabelSetTests
{
    [Theory]
    [InlineData("负面", "正面")]
    [InlineData("negative", "positive")]
    [InlineData("NEGATIVE", "Positive")]
    [InlineData("LABEL_0", "LABEL_1")]
    [InlineData("0", "1")]
    [InlineData("消极", "积极")]
    public void TwoClassSetsMapToCanonicalNames(string first, string second)
    {
        var labels = LabelSet.FromModelLabels([first, second]);
        Assert.True(labels.IsCanonical);
        Assert.Equal(["Negative", "Positive"], labels.Names);
        Assert.Equal([first, second], labels.ModelLabels);
    }

    [Fact]
    public void OrderFollowsTheModelNotTheConvention()
    {
        var labels = LabelSet.FromModelLabels(["正面", "负面"]);
        Assert.Equal(["Positive", "Negative"], labels.Names);
    }

    [Fact]
    public void ThreeClassSetWithNeutralMaps()
    {
        var labels = LabelSet.FromModelLabels(["负面", "中性", "正面"]);
        Assert.Equal(["Negative", "Neutral", "Positive"], labels.Names);
    }

    [Theory]
    [InlineData("体育", "财经")]
    [InlineData("LABEL_1", "LABEL_0")]
    [InlineData("正面", "正面")]
    public void UnmappableSetsKeepTheirOwnNames(string first, string second)
    {
        var labels = LabelSet.FromModelLabels([first, second]);
        Assert.False(labels.IsCanonical);
        Assert.Equal([first, second], labels.Names);
    }
}
