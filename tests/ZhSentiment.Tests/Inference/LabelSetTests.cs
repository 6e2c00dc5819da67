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

    [Theory]
    [InlineData("negative (stars 1, 2 and 3)", "positive (stars 4 and 5)")] // uer jd-binary / dianping
    [InlineData("差评", "好评")]
    [InlineData("Negative（差）", "Positive（好）")]
    public void SpellingsWithNotesMapByMeaning(string first, string second)
    {
        var labels = LabelSet.FromModelLabels([first, second]);
        Assert.Equal(["Negative", "Positive"], labels.Names);
        Assert.StartsWith("by meaning", labels.Mapping);
    }

    [Theory]
    [InlineData("star 1", "star 2", "star 3", "star 4", "star 5")] // uer jd-full
    [InlineData("1 star", "2 stars", "3 stars", "4 stars", "5 stars")] // nlptown
    [InlineData("Very Negative", "Negative", "Neutral", "Positive", "Very Positive")]
    public void FiveClassRatingsMapToTheirSides(string a, string b, string c, string d, string e)
    {
        var labels = LabelSet.FromModelLabels([a, b, c, d, e]);
        Assert.True(labels.IsCanonical);
        Assert.Equal(["Negative", "Negative", "Neutral", "Positive", "Positive"], labels.Names);
    }

    [Fact]
    public void PolarityComparesTheSummedSidesAndIgnoresNeutral()
    {
        var stars = LabelSet.FromModelLabels(["star 1", "star 2", "star 3", "star 4", "star 5"]);
        // The top class is star 1, but stars 4 and 5 together outweigh stars 1 and 2.
        // The score is the winning side's share of the polar probability (0.5 of 0.9; 0.15 of 0.2).
        var (label, score) = stars.Polarity([0.3f, 0.1f, 0.1f, 0.25f, 0.25f], 0);
        Assert.Equal("Positive", label);
        Assert.Equal(0.5f / 0.9f, score, 5);
        var three = LabelSet.FromModelLabels(["负面", "中性", "正面"]);
        (label, score) = three.Polarity([0.15f, 0.8f, 0.05f], 1);
        Assert.Equal("Negative", label);
        Assert.Equal(0.75f, score, 5);
        Assert.Equal(("Positive", 0.7f), LabelSet.FromModelLabels(["负面", "正面"]).Polarity([0.3f, 0.7f], 1));
    }

    [Fact]
    public void UnmappedSetsAnswerTheirTopClass()
    {
        var labels = LabelSet.FromModelLabels(["体育", "财经", "娱乐"]);
        Assert.Equal(("财经", 0.7f), labels.Polarity([0.2f, 0.7f, 0.1f], 1));
        Assert.StartsWith("none", labels.Mapping);
    }

    [Fact]
    public void OnlyNeutralAndOneSideIsNotCanonical()
    {
        Assert.False(LabelSet.FromModelLabels(["中性", "正面"]).IsCanonical);
    }

    [Fact]
    public void A_single_output_is_the_probability_of_its_own_label()
    {
        var positive = LabelSet.FromModelLabels(["positive"]);
        Assert.True(positive.Sigmoid);
        Assert.Equal(("Positive", 0.75f), positive.Polarity([0.75f], 0));
        Assert.Equal(("Negative", 0.75f), positive.Polarity([0.25f], 0));
        var unnamed = LabelSet.FromModelLabels(["LABEL_0"]);
        Assert.False(unnamed.IsCanonical);
        Assert.Equal(("LABEL_0", 0.25f), unnamed.Polarity([0.25f], 0));
    }

    [Fact]
    public void Multi_label_sets_are_scored_with_sigmoids_and_say_so()
    {
        var labels = LabelSet.FromModelLabels(["负面", "正面"], multiLabel: true);
        Assert.True(labels.Sigmoid);
        Assert.EndsWith("scores are sigmoids", labels.Mapping);
        Assert.False(LabelSet.FromModelLabels(["负面", "正面"]).Sigmoid);
    }
}
