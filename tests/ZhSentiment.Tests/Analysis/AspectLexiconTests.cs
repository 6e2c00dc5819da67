using ZhSentiment.Analysis;

namespace ZhSentiment.Tests.Analysis;

public class AspectLexiconTests
{
    [Fact]
    public void ShipsTheSixPresetsWithTheirAliases()
    {
        var presets = AspectLexicon.LoadFolder(AspectLexicon.DefaultFolder);
        Assert.Equal(
            [("汽车", "car"), ("电商", "ecommerce"), ("外卖", "food_delivery"), ("酒店", "hotel"), ("手机", "phone"), ("餐厅", "restaurant")],
            presets.Select(p => (p.Name, p.Alias!)));
        Assert.All(presets, p => Assert.True(p.Aspects.Count >= 6, $"{p.Name} has {p.Aspects.Count} aspects"));
        Assert.Same(AspectLexicon.Find(presets, "电商"), AspectLexicon.Find(presets, "ECommerce"));
        Assert.Null(AspectLexicon.Find(presets, "电影"));
    }

    [Fact]
    public void TheRestaurantPresetCoversDineInReviews()
    {
        var presets = AspectLexicon.LoadFolder(AspectLexicon.DefaultFolder);
        var restaurant = AspectLexicon.Find(presets, "Restaurant")!;
        Assert.Same(AspectLexicon.Find(presets, "餐厅"), restaurant);
        Assert.Equal(["位置", "排队", "服务", "上菜", "价格", "优惠", "环境", "噪音", "空间", "卫生", "分量", "口味", "摆盘", "推荐菜"],
            restaurant.Aspects.Select(a => a.Name));

        // Each aspect by a word a diner uses for it.
        var found = restaurant.Aspects.ToDictionary(a => a.Name, a => a);
        foreach (var (aspect, text) in new[]
        {
            ("位置", "出了地铁站走两分钟就到"), ("排队", "取号以后等位一个小时"), ("服务", "服务员很热情"), ("上菜", "上菜太慢了"),
            ("价格", "人均八十，性价比高"), ("优惠", "团购券很划算"), ("环境", "装修很有格调"), ("噪音", "店里很吵"),
            ("空间", "桌距太近，很拥挤"), ("卫生", "餐具不干净"), ("分量", "分量太少"), ("口味", "味道还凑合"),
            ("摆盘", "摆盘很用心"), ("推荐菜", "招牌菜必点"),
        })
            Assert.NotEmpty(TextAnalyzer.FindMentions(text, found[aspect]));
    }

    [Fact]
    public void ReadsNamesTermsCommentsAndTheDirective()
    {
        var preset = AspectLexicon.Parse(["# a comment", "", "@name\t图书", "印刷\t纸张\t 排版 \t", "内容\r"], "/x/books.tsv");
        Assert.Equal("图书", preset.Name);
        Assert.Equal("books", preset.Alias);
        Assert.Equal(["印刷", "内容"], preset.Aspects.Select(a => a.Name));
        Assert.Equal(["纸张", "排版"], preset.Aspects[0].Terms);
        Assert.Empty(preset.Aspects[1].Terms);

        var unnamed = AspectLexicon.Parse(["印刷"], "/x/mine.tsv");
        Assert.Equal(("mine", null), (unnamed.Name, unnamed.Alias));
    }

    [Theory]
    [InlineData(new[] { "印刷", "印刷\t纸张" }, "mine.tsv:2: aspect '印刷' is listed twice")]
    [InlineData(new[] { "@name" }, "mine.tsv:1: write the preset's name")]
    [InlineData(new[] { "# nothing" }, "mine.tsv: no aspects")]
    public void RefusesMalformedFilesNamingTheLine(string[] lines, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => AspectLexicon.Parse(lines, "mine.tsv"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void FindsMentionsIgnoringCaseLongestFirstWithoutOverlaps()
    {
        var aspect = new Aspect("信号", ["wifi", "WiFi信号", "网络"]);
        const string text = "WiFi信号差，wifi断网，网络也卡";
        Assert.Equal([(0, 6), (8, 12), (15, 17)], TextAnalyzer.FindMentions(text, aspect));
        Assert.Empty(TextAnalyzer.FindMentions("屏幕很好", aspect));
    }
}
