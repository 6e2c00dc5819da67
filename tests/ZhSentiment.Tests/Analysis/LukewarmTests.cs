using ZhSentiment.Analysis;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Analysis;

public class LukewarmTests
{
    [Theory]
    [InlineData("味道还凑合", true)]
    [InlineData("环境一般般吧", true)]
    [InlineData("价格还行。", true)]
    [InlineData("中规中矩", true)]
    [InlineData("味道很一般", false)] // An intensifier makes it blame.
    [InlineData("太一般了", false)]
    [InlineData("不一般", false)]
    [InlineData("还好有空调", false)] // Fortunately: the word must close the opinion.
    [InlineData("一般来说很快", false)]
    [InlineData("很好吃", false)]
    public void A_lukewarm_word_must_close_the_opinion_without_an_intensifier(string opinion, bool lukewarm) =>
        Assert.Equal(lukewarm, Lukewarm.Ends(opinion, 0, opinion.Length));

    [Fact]
    public void It_makes_a_three_class_verdict_neutral_and_leaves_a_two_class_one_alone()
    {
        var three = LabelSet.FromModelLabels(["负面", "中性", "正面"]);
        float[] praise = [0.05f, 0.01f, 0.94f]; // The shipped model on 还行.
        var neutral = NeutralVerdict.Apply(three, praise);
        Assert.Equal(LabelSet.Neutral, three.ThreeWay(neutral).Label);
        Assert.Equal(1f, neutral.Sum(), 5);
        Assert.True(neutral[1] >= NeutralVerdict.Share);

        var two = LabelSet.FromModelLabels(["负面", "正面"]);
        Assert.Equal([0.3f, 0.7f], NeutralVerdict.Apply(two, [0.3f, 0.7f]));
    }
}
