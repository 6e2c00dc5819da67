using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ZhSentiment.Tests.Web;

/// <summary>
/// The page's use of <c>/v1/analyze</c> in headless Chromium: evidence, clauses and aspects for one text; aspect,
/// group and trend charts for a file. As in <see cref="WebPageTests"/>, the truth is what the API answers.
/// </summary>
public sealed class AnalysisPageTests(BrowserFixture web) : IClassFixture<BrowserFixture>
{
    private BrowserPage? _page;
    private IPage Page => _page!.Page;

    private async Task OpenAsync(int width = 1280)
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        _page = await web.OpenAsync(width);
    }

    private ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task<JsonElement> AnalyzeAsync(object body)
    {
        using var response = await web.Server.Client.PostAsJsonAsync("/v1/analyze", body, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("results");
    }

    private async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(BrowserFixture.ScreenshotFolder);
        var path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000);
        TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
    }

    private async Task AssertCleanAsync()
    {
        Assert.Empty(_page!.Dialogs);
        Assert.Empty(_page.Errors);
        Assert.Equal(0, await Page.EvaluateAsync<int>("document.querySelectorAll('img').length"));
        await _page.DisposeAsync();
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1280)]
    public async Task OneTextShowsItsEvidenceClausesAndAspects(int width)
    {
        await OpenAsync(width);
        const string review = "性价比高，屏幕也清楚，但是物流太慢，<b>包装</b>还压坏了";
        var expected = (await AnalyzeAsync(new { text = review, aspects = "电商" }))[0];

        await Page.GetByLabel("输入一段中文评论").FillAsync(review);
        await Page.GetByLabel("方面预设", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "电商 (ecommerce)" });
        await Button("开始分析").ClickAsync();

        // Every clause with the API's verdict on it.
        var sentences = expected.GetProperty("sentences").EnumerateArray().ToArray();
        await Expect(Page.Locator("#sentences li")).ToHaveCountAsync(sentences.Length);
        for (int i = 0; i < sentences.Length; i++)
        {
            await Expect(Page.Locator("#sentences li").Nth(i)).ToContainTextAsync(sentences[i].GetProperty("text").GetString()!);
            await Expect(Page.Locator("#sentences li").Nth(i)).ToContainTextAsync(WebServer.Percent(sentences[i].GetProperty("score").GetDouble()));
        }

        // The text stays the text (markup included), with signed marks on the strongest spans, readable without colour.
        var plain = await Page.EvaluateAsync<string>("(() => { const c = document.getElementById('highlight').cloneNode(true); c.querySelectorAll('.sign').forEach(s => s.remove()); return c.textContent; })()");
        Assert.Equal(review, plain);
        var marks = Page.Locator("#highlight mark");
        Assert.True(await marks.CountAsync() > 0);
        var strongest = expected.GetProperty("evidence")[0];
        var first = Page.Locator("#highlight mark", new() { HasText = strongest.GetProperty("text").GetString()! }).First;
        await Expect(first.Locator(".sign")).ToHaveTextAsync(strongest.GetProperty("weight").GetDouble() > 0 ? "＋" : "−");
        await Expect(first).ToHaveClassAsync(strongest.GetProperty("weight").GetDouble() > 0 ? "pos" : "neg");
        Assert.Equal(0, await Page.Locator("#highlight b").CountAsync());

        // Mentioned aspects with their verdict and clauses; the others named once.
        foreach (var aspect in expected.GetProperty("aspects").EnumerateArray())
        {
            var name = aspect.GetProperty("name").GetString()!;
            if (aspect.GetProperty("mentioned").GetBoolean())
                await Expect(Page.Locator("#aspects-list li", new() { HasText = name })).ToContainTextAsync(WebServer.Percent(aspect.GetProperty("score").GetDouble()));
            else
                await Expect(Page.Locator("#aspects-none")).ToContainTextAsync(name);
        }
        await Expect(Page.Locator("#aspects-list li").First).ToContainTextAsync("“");
        await ScreenshotAsync($"analysis-{width}");
        Assert.True(await Page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= width, "the page scrolls sideways");
        await AssertCleanAsync();
    }

    [Fact]
    public async Task AFileGetsAspectGroupAndTrendCharts()
    {
        await OpenAsync();
        string[] reviews = ["物流很快，包装很好", "质量太差，客服也不理人", "价格便宜，物流慢", "包装破了", "很满意", "质量不错，物流一般"];
        string[] shops = ["北京店", "上海店", "北京店", "广州店", "上海店", "北京店"];
        string[] days = ["2024-05-01", "2024/5/1 12:00", "2024年5月2日", "2024-05-03", "", "2024-05-03"];
        var csv = new StringBuilder("评论,门店,日期\r\n");
        for (int i = 0; i < reviews.Length; i++) csv.Append($"{reviews[i]},{shops[i]},{days[i]}\r\n");
        var expected = await AnalyzeAsync(new { texts = reviews, aspects = "ecommerce" });
        var verdicts = await web.Server.VerdictsAsync(reviews);

        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "shops.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await Page.GetByLabel("方面预设（可选）").SelectOptionAsync(new SelectOptionValue { Label = "电商 (ecommerce)" });
        await Button("分析文件").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(reviews.Length);

        // Aspect × polarity: one row per aspect mentioned anywhere, its counts as the API labelled them.
        await Expect(Page.Locator("#aspect-figure")).ToBeVisibleAsync();
        var aspectLabel = (await Page.Locator("#aspect-chart").GetAttributeAsync("aria-label"))!;
        var logistics = expected.EnumerateArray().Select(r => r.GetProperty("aspects").EnumerateArray().First(a => a.GetProperty("name").GetString() == "物流"))
            .Where(a => a.GetProperty("mentioned").GetBoolean()).ToArray();
        Assert.Equal(3, logistics.Length);
        var row = aspectLabel[aspectLabel.IndexOf("物流 ", StringComparison.Ordinal)..].Split(", ")[0];
        foreach (var group in logistics.GroupBy(a => a.GetProperty("label").GetString()!))
            Assert.Contains($"{WebServer.Shown(group.Key)} {group.Count()}", row);
        Assert.DoesNotContain("尺码", aspectLabel);

        // The date column is found by its name; the group column is chosen.
        await Expect(Page.GetByLabel("日期列（趋势）")).ToHaveValueAsync("2");
        await Expect(Page.Locator("#trend-figure")).ToBeVisibleAsync();
        var trend = await Page.Locator("#trend-chart").GetAttributeAsync("aria-label");
        Assert.Contains("2024-05-01", trend);
        Assert.Contains("2024-05-03", trend);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(trend!, @"2024-05-0\d"));

        await Page.GetByLabel("按列分组").SelectOptionAsync(new SelectOptionValue { Label = "门店" });
        await Expect(Page.Locator("#group-title")).ToHaveTextAsync("按「门店」的情感");
        var groups = (await Page.Locator("#group-chart").GetAttributeAsync("aria-label"))!;
        var beijing = verdicts.Where((_, i) => shops[i] == "北京店").GroupBy(v => v.Shown).ToArray();
        var beijingRow = groups[groups.IndexOf("北京店", StringComparison.Ordinal)..].Split(", ")[0];
        foreach (var g in beijing) Assert.Contains($"{g.Key} {g.Count()}", beijingRow);
        await ScreenshotAsync("file-charts-1280");

        var download = await Page.RunAndWaitForDownloadAsync(() => Button("下载结果 CSV").ClickAsync());
        var text = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(await download.PathAsync(), TestContext.Current.CancellationToken));
        Assert.Contains(",aspect_物流,", text.Split("\r\n")[0] + ",");
        await AssertCleanAsync();
    }
}
