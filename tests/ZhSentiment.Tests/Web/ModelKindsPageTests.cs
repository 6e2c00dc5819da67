using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using ZhSentiment.Scoring;
using static Microsoft.Playwright.Assertions;

namespace ZhSentiment.Tests.Web;

/// <summary>
/// The page on models other than the fixture's two-class one, served by arithmetic models whose answers are known: a
/// star-rating model (the answer is a side, not the top class) and labels that need making column-safe. As everywhere,
/// the truth is what the API answers.
/// </summary>
public sealed class ModelKindsPageTests(BrowserFixture web) : IClassFixture<BrowserFixture>
{
    private static readonly string[] Stars = ["star 1", "star 2", "star 3", "star 4", "star 5"];

    private BrowserPage? _page;
    private IPage Page => _page!.Page;

    private async Task OpenAsync(WebServer server, int width = 1280)
    {
        _page = await web.OpenAsync(width, server);
        await Expect(Page.Locator("#info-name")).ToHaveTextAsync("arithmetic");
    }

    private ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task AssertCleanAsync()
    {
        Assert.Empty(_page!.Dialogs);
        Assert.Empty(_page.Errors);
        Assert.Equal(0, await Page.EvaluateAsync<int>("document.querySelectorAll('img').length"));
        await _page.DisposeAsync();
    }

    private async Task<List<string[]>> DownloadAsync()
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => Button("下载结果 CSV").ClickAsync());
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        return [.. Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(','))];
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(BrowserFixture.ScreenshotFolder);
        var path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
    }

    [Fact]
    public async Task AStarModelIsShownByTheSideTheApiAnswersNotByItsTopClass()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await web.StartArithmeticServerAsync(Stars);
        await OpenAsync(server);
        // "aa dd ee": star 1 is the top class, stars 4 and 5 hold more, so the answer is Positive.
        string[] texts = ["aa dd ee", "aaa bb ee", "ccccc a e"];
        var verdicts = await server.VerdictsAsync(texts);
        Assert.Equal(["Positive", "Negative", "Neutral"], verdicts.Select(v => v.Result.GetProperty("label").GetString()));
        Assert.Equal("star 1", verdicts[0].Result.GetProperty("model_label").GetString());

        await Page.GetByLabel("输入一段中文评论").FillAsync(texts[0]);
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync("正面");
        await Expect(Page.Locator("#verdict-emoji")).ToHaveTextAsync("😄");
        await Expect(Page.Locator("#verdict-score")).ToHaveTextAsync(verdicts[0].Percent);
        await Expect(Page.Locator("#probs li")).ToHaveCountAsync(Stars.Length);
        await Expect(Page.Locator("#probs li").First).ToContainTextAsync("star 1");

        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync(string.Join("\n", texts));
        await Button("分析全部").ClickAsync();
        var rows = Page.Locator("#results-table tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        string[] shown = ["😄 正面", "😠 负面", "😐 中性"];
        for (int i = 0; i < texts.Length; i++) await Expect(rows.Nth(i).Locator("td").Nth(2)).ToHaveTextAsync(shown[i]);
        var distribution = await Page.Locator("#dist-chart").GetAttributeAsync("aria-label");
        Assert.Equal("标签分布：正面 1, 负面 1, 中性 1", distribution);
        await Page.GetByLabel("按标签筛选").SelectOptionAsync(new SelectOptionValue { Label = "中性" });
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync(texts[2]);

        var table = await DownloadAsync();
        Assert.Equal(["text", "label", "score", "prob_star_1", "prob_star_2", "prob_star_3", "prob_star_4", "prob_star_5", "error"], table[0]);
        for (int i = 0; i < texts.Length; i++)
        {
            var result = verdicts[i].Result;
            Assert.Equal(result.GetProperty("label").GetString(), table[i + 1][1]);
            Assert.Equal(result.GetProperty("score").GetDouble(), Number(table[i + 1][2]), 6);
            var probabilities = result.GetProperty("probabilities").EnumerateArray().ToArray();
            for (int c = 0; c < Stars.Length; c++) Assert.Equal(probabilities[c].GetProperty("score").GetDouble(), Number(table[i + 1][3 + c]), 6);
        }
        await AssertCleanAsync();
    }

    [Fact]
    public async Task TheDownloadNamesClassesAsZhsentiScoreDoes()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        string[] labels = ["very good!!!", " so-so (meh) ", "so so meh", "差评 / 退货", "label"];
        await using var server = await web.StartArithmeticServerAsync(labels);
        await OpenAsync(server);
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync("abc\ndde");
        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(2);
        var table = await DownloadAsync();
        Assert.Equal(["text", "label", "score", .. FileScorer.ColumnNames("prob_", labels), "error"], table[0]);
        await AssertCleanAsync();
    }
}
