using ZhSentiment.Analysis;

namespace ZhSentiment.Tests.Analysis;

public class ClauseSplitterTests
{
    private static string[] Texts(string text) => [.. ClauseSplitter.Split(text).Select(c => text[c.Start..c.End])];

    [Fact]
    public void SplitsAtPunctuationAndBeforeContrastMarkers()
    {
        const string text = "性价比高，屏幕也清楚，但是物流太慢，包装还压坏了";
        var clauses = ClauseSplitter.Split(text);

        Assert.Equal([(0, 4), (5, 10), (11, 17), (18, 24)], clauses.Select(c => (c.Start, c.End)));
        Assert.Equal([false, false, true, false], clauses.Select(c => c.Contrast));
        Assert.All(clauses, c => Assert.Equal(0, c.Sentence));
    }

    [Theory]
    [InlineData("价格贵但是质量好", new[] { "价格贵", "但是质量好" })]
    [InlineData("外观不错可惜太重", new[] { "外观不错", "可惜太重" })]
    [InlineData("不但便宜而且好用", new[] { "不但便宜而且好用" })]
    [InlineData("但愿质量能好点", new[] { "但愿质量能好点" })]
    [InlineData("这个价格再好不过了", new[] { "这个价格再好不过了" })]
    [InlineData("这可是好东西", new[] { "这可是好东西" })]
    [InlineData("屏幕3.5寸, 售价1,999元", new[] { "屏幕3.5寸", "售价1,999元" })]
    [InlineData("质量很好 物流很快", new[] { "质量很好", "物流很快" })]
    [InlineData("very good value", new[] { "very good value" })]
    [InlineData("好评！！！\r\n\r\n会回购……", new[] { "好评", "会回购" })]
    [InlineData("！！！", new string[0])]
    public void ClausesAreWhereReadersSeeThem(string text, string[] expected) => Assert.Equal(expected, Texts(text));

    [Fact]
    public void SentencesEndAtFullStopsAndLineBreaks()
    {
        var clauses = ClauseSplitter.Split("房间小，但是干净。早餐一般\n服务好");
        Assert.Equal([0, 0, 1, 2], clauses.Select(c => c.Sentence));
        Assert.Equal([false, true, false, false], clauses.Select(c => c.Contrast));
    }

    [Fact]
    public void OffsetsAreUtf16CodeUnits()
    {
        const string text = "😄好用，😠太贵";
        var clauses = ClauseSplitter.Split(text);
        Assert.Equal([(0, 4), (5, 9)], clauses.Select(c => (c.Start, c.End)));
        Assert.Equal("😠太贵", text[clauses[1].Start..clauses[1].End]);
    }

    [Theory]
    [InlineData("但是物流太慢", 2)]
    [InlineData(" “不过价格贵", 4)]
    [InlineData("就是有点贵", 2)]
    [InlineData("不但便宜", 0)]
    [InlineData("物流太慢", 0)]
    public void ContrastMarkersAreMeasured(string text, int length) => Assert.Equal(length, ClauseSplitter.ContrastMarkerLength(text, 0, text.Length));

    [Fact]
    public void QueTurnsTheClauseItStandsIn()
    {
        var clauses = ClauseSplitter.Split("外观好看，质量却很差");
        Assert.Equal([false, true], clauses.Select(c => c.Contrast));
    }
}
