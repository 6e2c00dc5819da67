using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ZhSentiment.Inference;
using ZhSentiment.Scoring;
using ZhSentiment.Tests.Inference;
using ZhSentiment.Tests.Serving;
using static Microsoft.Playwright.Assertions;

namespace ZhSentiment.Tests.Web;

/// <summary>
/// The page on models other than the fixture's two-class one, served by arithmetic models whose answers are known: a
/// star-rating model (the answer is a side, not the top class), labels that need making column-safe, an emotion model
/// and a sentiment-only one. As everywhere, the truth is what the API answers.
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
        await Expect(Page.Locator("#emotion-box")).ToBeHiddenAsync();

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

    private const string Xss = "<img src=x onerror=alert(1)>";

    /// <summary>The emotions in Chinese and English, as the page labels them.</summary>
    private static readonly Dictionary<string, (string Emoji, string Zh, string En)> Emotions = new()
    {
        ["anger"] = ("😡", "愤怒", "Anger"), ["disgust"] = ("🤢", "厌恶", "Disgust"), ["fear"] = ("😨", "恐惧", "Fear"),
        ["happiness"] = ("😊", "高兴", "Happiness"), ["like"] = ("🥰", "喜好", "Like"), ["sadness"] = ("😢", "悲伤", "Sadness"),
        ["surprise"] = ("😲", "惊讶", "Surprise"), ["neutral"] = ("😶", "无情绪", "No emotion"),
    };

    [Fact]
    public async Task OneTextShowsItsEmotionWithItsFaceAndABarPerEmotionAsTheApiScoresThem()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await web.StartEmotionServerAsync();
        await OpenAsync(server);
        const string text = "ffff。bbb";
        var expected = (await server.ResultsAsync("/v1/emotion", new { text }))[0];
        var sentiment = (await server.VerdictsAsync(text))[0];
        var analysis = (await server.ResultsAsync("/v1/analyze", new { text }))[0];
        Assert.Equal("anger", expected.GetProperty("label").GetString());

        await Page.GetByLabel("输入一段中文评论").FillAsync(text);
        await Button("开始分析").ClickAsync();
        // The sentiment stays as it is shown for any model; the emotion comes beside it.
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(sentiment.Shown);
        await Expect(Page.Locator("#verdict-score")).ToHaveTextAsync(sentiment.Percent);
        await Expect(Page.Locator("#emotion-box")).ToBeVisibleAsync();
        await Expect(Page.Locator("#emotion-emoji")).ToHaveTextAsync("😡");
        await Expect(Page.Locator("#emotion-label")).ToHaveTextAsync("愤怒");
        await Expect(Page.Locator("#emotion-score")).ToHaveTextAsync(WebServer.Percent(expected.GetProperty("score").GetDouble()));
        var emotions = expected.GetProperty("emotions").EnumerateArray().ToArray();
        var bars = Page.Locator("#emotion-bars li");
        await Expect(bars).ToHaveCountAsync(emotions.Length);
        for (int i = 0; i < emotions.Length; i++)
        {
            var percent = WebServer.Percent(emotions[i].GetProperty("score").GetDouble());
            await Expect(bars.Nth(i).Locator("span").First).ToHaveTextAsync(Emotions[emotions[i].GetProperty("label").GetString()!].Zh);
            await Expect(bars.Nth(i).Locator(".num")).ToHaveTextAsync(percent);
            await Expect(bars.Nth(i).GetByRole(AriaRole.Meter)).ToHaveAttributeAsync("aria-valuenow", percent.TrimEnd('%'));
        }
        // The model's classes are its emotions: one set of bars, not two.
        await Expect(Page.Locator("#probs")).ToBeHiddenAsync();

        // Each clause with its emotion, as /v1/analyze answered it.
        var sentences = analysis.GetProperty("sentences").EnumerateArray().ToArray();
        await Expect(Page.Locator("#sentences li")).ToHaveCountAsync(sentences.Length);
        for (int i = 0; i < sentences.Length; i++)
        {
            var (emoji, zh, _) = Emotions[sentences[i].GetProperty("emotion").GetString()!];
            await Expect(Page.Locator("#sentences li").Nth(i).Locator(".tag.emotion"))
                .ToHaveTextAsync($"{emoji} {zh} {WebServer.Percent(sentences[i].GetProperty("emotion_score").GetDouble())}");
        }
        await Expect(Page.Locator("#history li").First).ToContainTextAsync("😡 愤怒");
        await ScreenshotAsync("emotion-text-1280");

        await Button("English").ClickAsync();
        await Expect(Page.Locator("#emotion-label")).ToHaveTextAsync("Anger");
        for (int i = 0; i < emotions.Length; i++)
            await Expect(bars.Nth(i).Locator("span").First).ToHaveTextAsync(Emotions[emotions[i].GetProperty("label").GetString()!].En);
        await Expect(Page.Locator("#info-labels")).ToContainTextAsync("😡 Anger");
        await AssertCleanAsync();
    }

    [Fact]
    public async Task AFileShowsItsEmotionsChartedOverTimeInTheTableAndInTheDownload()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await web.StartEmotionServerAsync();
        await OpenAsync(server);
        string[] texts = ["ffff", "fff b", "bbbb", "ccc a", "gggg", "ffff e", ""];
        string[] days = ["2024-05-01", "2024-05-01", "2024/5/2", "2024年5月2日", "2024-05-03", "", "2024-05-03"];
        var csv = new StringBuilder("评论,日期\r\n");
        for (int i = 0; i < texts.Length; i++) csv.Append($"{texts[i]},{days[i]}\r\n");
        var analysed = texts[..^1];
        var expected = (await server.ResultsAsync("/v1/emotion", new { texts = analysed })).EnumerateArray().ToArray();
        var verdicts = await server.VerdictsAsync(analysed);
        var info = await server.Client.GetFromJsonAsync<JsonElement>("/info", TestContext.Current.CancellationToken);
        var order = info.GetProperty("emotions").EnumerateArray().Select(e => e.GetString()!).ToArray();

        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "feelings.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await Button("分析文件").ClickAsync();
        var rows = Page.Locator("#results-table tbody tr");
        await Expect(rows).ToHaveCountAsync(texts.Length);

        // The distribution counts each emotion /v1/emotion answered, in the model's order.
        await Expect(Page.Locator("#emotion-charts")).ToBeVisibleAsync();
        var counts = order.Select(e => $"{Emotions[e].Emoji} {Emotions[e].Zh} {expected.Count(r => r.GetProperty("label").GetString() == e)}");
        Assert.Equal("情绪分布：" + string.Join(", ", counts), await Page.Locator("#emo-dist-chart").GetAttributeAsync("aria-label"));
        Assert.Equal(3, expected.Count(r => r.GetProperty("label").GetString() == "anger"));
        await Expect(Page.Locator("#emo-dist-chart")).ToContainTextAsync($"3 ({3 * 100.0 / analysed.Length:0.0}%)");

        // Over time, from the date column the page found: two rows on 1 May, both angry.
        await Expect(Page.Locator("#emo-trend-figure")).ToBeVisibleAsync();
        var trend = (await Page.Locator("#emo-trend-chart").GetAttributeAsync("aria-label"))!;
        var first = trend[trend.IndexOf("2024-05-01", StringComparison.Ordinal)..].Split(", ")[0];
        Assert.Contains("愤怒 2", first);
        Assert.Equal(3, Regex.Count(trend, @"2024-05-0\d"));
        await Expect(Page.Locator("#emo-legend li")).ToHaveCountAsync(order.Length);
        // Every chart label lies inside its chart and is drawn at least 12 px high.
        var outside = await Page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('#emotion-charts svg')].flatMap(svg => {
              const box = svg.getBoundingClientRect();
              return [...svg.querySelectorAll('text')].filter(t => {
                const r = t.getBoundingClientRect();
                return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.height < 12;
              }).map(t => t.textContent);
            })
            """);
        Assert.Empty(outside);
        // Each chart is drawn at its on-screen width (one SVG unit to one pixel), trends included.
        var misdrawn = await Page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('#batch-results figure:not([hidden]) svg')]
              .filter(svg => Math.abs(svg.viewBox.baseVal.width - svg.getBoundingClientRect().width) > 2).map(svg => svg.id)
            """);
        Assert.Empty(misdrawn);

        // The table: the emotion and its score after the sentiment; sortable and filterable like it.
        await Expect(Page.Locator("#results-table thead th")).ToHaveTextAsync(["序号", "评论", "日期", "情感", "置信度", "情绪", "情绪置信度"]);
        for (int i = 0; i < analysed.Length; i++)
        {
            var (emoji, zh, _) = Emotions[expected[i].GetProperty("label").GetString()!];
            await Expect(rows.Nth(i).Locator("td").Nth(3)).ToContainTextAsync(verdicts[i].Shown);
            await Expect(rows.Nth(i).Locator("td").Nth(5)).ToHaveTextAsync($"{emoji} {zh}");
            await Expect(rows.Nth(i).Locator("td").Nth(6)).ToHaveTextAsync(WebServer.Percent(expected[i].GetProperty("score").GetDouble()));
        }
        await Page.GetByLabel("按标签筛选").SelectOptionAsync(new SelectOptionValue { Label = "😡 愤怒" });
        await Expect(rows).ToHaveCountAsync(3);
        await Page.GetByLabel("按标签筛选").SelectOptionAsync(new SelectOptionValue { Label = "全部" });

        await ScreenshotAsync("emotion-file-1280");
        var table = await DownloadAsync();
        var models = info.GetProperty("model_labels").EnumerateArray().Select(l => "prob_" + l.GetString()).ToArray();
        Assert.Equal(["评论", "日期", "label", "score", .. models, "emotion", "emotion_score", .. order.Select(e => "emo_" + e), "error"], table[0]);
        int emotionAt = 4 + models.Length;
        for (int i = 0; i < analysed.Length; i++)
        {
            var row = table[i + 1];
            Assert.Equal(verdicts[i].Result.GetProperty("label").GetString(), row[2]);
            Assert.Equal(expected[i].GetProperty("label").GetString(), row[emotionAt]);
            Assert.Equal(expected[i].GetProperty("score").GetDouble(), Number(row[emotionAt + 1]), 6);
            var scores = expected[i].GetProperty("emotions").EnumerateArray().ToArray();
            for (int c = 0; c < order.Length; c++) Assert.Equal(scores[c].GetProperty("score").GetDouble(), Number(row[emotionAt + 2 + c]), 6);
            Assert.Equal("", row[^1]);
        }
        Assert.All(table[^1][2..^1], Assert.Empty);
        Assert.Equal("empty text", table[^1][^1]);
        await AssertCleanAsync();
    }

    [Fact]
    public async Task ASentimentModelShowsNoEmotionAndNeverAsksForOne()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        _page = await web.OpenAsync(1280);
        int asked = 0;
        Page.Request += (_, request) => { if (request.Url.Contains("/v1/emotion", StringComparison.Ordinal)) asked++; };
        await Expect(Page.Locator("#info-name")).ToHaveTextAsync("modelscope");
        await Page.GetByLabel("输入一段中文评论").FillAsync("这家店的服务态度真是太好了。下次还来");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#sentences li")).Not.ToHaveCountAsync(0);
        await Expect(Page.Locator("#emotion-box")).ToBeHiddenAsync();
        await Expect(Page.Locator("#probs")).ToBeVisibleAsync();
        await Expect(Page.Locator("#sentences .emotion")).ToHaveCountAsync(0);

        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "a.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("text,date\n很好,2024-05-01\n很差,2024-05-02\n") });
        await Button("分析文件").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#trend-figure")).ToBeVisibleAsync();
        await Expect(Page.Locator("#emotion-charts")).ToBeHiddenAsync();
        await Expect(Page.Locator("#results-table thead th")).ToHaveTextAsync(["序号", "text", "date", "情感", "置信度"]);
        var options = await Page.Locator("#filter option").AllTextContentsAsync();
        Assert.DoesNotContain(options, o => Emotions.Values.Any(e => o.Contains(e.Zh, StringComparison.Ordinal)));
        var table = await DownloadAsync();
        Assert.Equal(["text", "date", "label", "score", "prob_负面", "prob_正面", "error"], table[0]);
        Assert.Equal(0, asked);
        await AssertCleanAsync();
    }

    [Fact]
    public async Task MarkupStaysTextWhereEmotionsAreShown()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await web.StartEmotionServerAsync();
        await OpenAsync(server);
        string text = Xss + "。ffff";
        await Page.GetByLabel("输入一段中文评论").FillAsync(text);
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#emotion-box")).ToBeVisibleAsync();
        await Expect(Page.Locator("#sentences li").First).ToContainTextAsync(Xss);
        await Expect(Page.Locator("#highlight")).ToContainTextAsync(Xss);
        await Expect(Page.Locator("#history li").First).ToContainTextAsync(Xss);

        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync($"{Xss}\n<script>alert(2)</script>ffff");
        await Button("分析全部").ClickAsync();
        var rows = Page.Locator("#results-table tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync(Xss);
        await Expect(rows.Nth(1).Locator("td").Nth(1)).ToHaveTextAsync("<script>alert(2)</script>ffff");
        await Expect(rows.Nth(1).Locator("td").Nth(4)).ToHaveTextAsync("😡 愤怒");
        Assert.Equal(1, await Page.EvaluateAsync<int>("document.querySelectorAll('script').length"));
        await AssertCleanAsync();
    }

    [Fact]
    public async Task TheShippedModelShowsItsSentimentAndItsEmotionEachWithItsOwnBars()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await WebServer.StartAsync(Path.Combine(TestPaths.RepoRoot, "models", "default"),
            Directory.CreateTempSubdirectory("zhsenti-page-default-").FullName, []);
        _page = await web.OpenAsync(1280, server);
        await Expect(Page.Locator("#info-name")).ToHaveTextAsync("default");
        const string text = "排了两个小时的队还没上车，气死我了";
        var sentiment = (await server.VerdictsAsync(text))[0];
        var emotion = (await server.ResultsAsync("/v1/emotion", new { text }))[0];

        await Page.GetByLabel("输入一段中文评论").FillAsync(text);
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(sentiment.Shown);
        await Expect(Page.Locator("#verdict-score")).ToHaveTextAsync(sentiment.Percent);
        // Two heads: the three sentiment classes and the six emotions, each in its own bars.
        await Expect(Page.Locator("#probs li")).ToHaveCountAsync(3);
        await Expect(Page.Locator("#emotion-bars li")).ToHaveCountAsync(6);
        var (emoji, zh, _) = Emotions[emotion.GetProperty("label").GetString()!];
        await Expect(Page.Locator("#emotion-emoji")).ToHaveTextAsync(emoji);
        await Expect(Page.Locator("#emotion-label")).ToHaveTextAsync(zh);
        await Expect(Page.Locator("#emotion-score")).ToHaveTextAsync(WebServer.Percent(emotion.GetProperty("score").GetDouble()));
        // Its emotions are named in English in the model; the page names them in its own language.
        await Expect(Page.Locator("#info-labels")).ToContainTextAsync("😡 愤怒");
        await ScreenshotAsync("default-model-text-1280");
        await AssertCleanAsync();
    }

    [Fact]
    public async Task AMixedTextIsMarkedAsTheApiSays()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await web.StartArithmeticServerAsync(Stars);
        await OpenAsync(server);
        // Star 5 clearly in one clause, star 1 clearly in the other.
        var mixed = (await server.ResultsAsync("/v1/analyze", new { text = "eeee，aaaa" }))[0];
        Assert.True(mixed.GetProperty("mixed").GetBoolean());
        await Page.GetByLabel("输入一段中文评论").FillAsync("eeee，aaaa");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#mixed-note")).ToBeVisibleAsync();
        await Expect(Page.Locator("#mixed-note")).ToContainTextAsync("褒贬兼有");

        await Page.GetByLabel("输入一段中文评论").FillAsync("eeee，dddd");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#sentences li")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#mixed-note")).ToBeHiddenAsync();
        await AssertCleanAsync();
    }

    [Fact]
    public async Task WithTwoModelsThePickerSendsTheChosenOneToEveryRoute()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        var settings = new Dictionary<string, string?>
        {
            ["Models:0:Name"] = "stars", ["Models:0:Source"] = "stars",
            ["Models:1:Name"] = "feelings", ["Models:1:Source"] = "feelings",
        };
        await using var server = await WebServer.StartAsync(Directory.CreateTempSubdirectory("zhsenti-page-two-").FullName, settings, _ => (spec, _) =>
        {
            string[] labels = spec.Name == "stars" ? Stars : EmotionApiTests.SevenEmotions;
            var model = new ArithmeticModel(labels: labels.Length);
            return Task.FromResult(new SentimentEngine(model, model, LabelSet.FromModelLabels(labels),
                TestService.Info with { Name = spec.Name }, spec.Load.Engine));
        });
        _page = await web.OpenAsync(1280, server);
        await Expect(Page.Locator("#model-pick-box")).ToBeVisibleAsync();
        await Expect(Page.Locator("#model-pick option")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#model-pick")).ToHaveValueAsync("stars");
        await Expect(Page.Locator("#info-name")).ToHaveTextAsync("stars");

        await Page.GetByLabel("输入一段中文评论").FillAsync("aa dd ee");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(WebServer.Shown("Positive"));
        await Expect(Page.Locator("#emotion-box")).ToBeHiddenAsync();

        await Page.Locator("#model-pick").SelectOptionAsync("feelings");
        await Expect(Page.Locator("#info-name")).ToHaveTextAsync("feelings");
        await Expect(Page.Locator("#result")).ToBeHiddenAsync();
        await Page.GetByLabel("输入一段中文评论").FillAsync("ffff");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#emotion-label")).ToHaveTextAsync("愤怒");
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(WebServer.Shown("Negative"));
        await AssertCleanAsync();
    }

    [Fact]
    public async Task WithOneModelThereIsNoPicker()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await web.StartArithmeticServerAsync(Stars);
        await OpenAsync(server);
        await Expect(Page.Locator("#info-labels")).ToContainTextAsync("star 1");
        await Expect(Page.Locator("#model-pick-box")).ToBeHiddenAsync();
        await AssertCleanAsync();
    }
}
