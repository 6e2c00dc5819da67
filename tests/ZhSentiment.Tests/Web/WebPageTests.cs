using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ZhSentiment.Tests.Web;

/// <summary>
/// The page at <c>/</c> in real headless Chromium against the real service. The fixture model's weights are random, so
/// "the right label" is the label the API itself returns for the same text: the page must show exactly that.
/// </summary>
public sealed class WebPageTests(BrowserFixture web) : IClassFixture<BrowserFixture>
{
    private const string Xss = "<img src=x onerror=alert(1)>";

    private IPage Page => _page!.Page;
    private BrowserPage? _page;

    private async Task<IPage> OpenAsync(int width = 1280, WebServer? server = null)
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        _page = await web.OpenAsync(width, server);
        return _page.Page;
    }

    private ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private async Task AssertCleanAsync()
    {
        Assert.Empty(_page!.Dialogs);
        Assert.Empty(_page.Errors);
        Assert.Equal(0, await Page.EvaluateAsync<int>("document.querySelectorAll('img').length"));
        await _page.DisposeAsync();
    }

    [Fact]
    public async Task TypingAReviewAndClickingShowsTheApisLabelConfidenceAndEveryClass()
    {
        await OpenAsync();
        const string review = "这家店的服务态度真是太好了，下次还来";
        var (label, percent, result) = (await web.Server.VerdictsAsync(review))[0];

        await Page.GetByLabel("输入一段中文评论").FillAsync(review);
        await Button("开始分析").ClickAsync();

        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(label);
        await Expect(Page.Locator("#verdict-score")).ToHaveTextAsync(percent);
        var emoji = result.GetProperty("label").GetString() == "Positive" ? "😄" : "😠";
        await Expect(Page.Locator("#verdict-emoji")).ToHaveTextAsync(emoji);
        var classes = result.GetProperty("probabilities").EnumerateArray().ToArray();
        var bars = Page.Locator("#probs li");
        await Expect(bars).ToHaveCountAsync(classes.Length);
        for (int i = 0; i < classes.Length; i++)
        {
            await Expect(bars.Nth(i)).ToContainTextAsync(classes[i].GetProperty("label").GetString()!);
            await Expect(bars.Nth(i)).ToContainTextAsync(WebServer.Percent(classes[i].GetProperty("score").GetDouble()));
        }
        await Expect(Button("开始分析")).ToBeEnabledAsync();

        // The model section names the model and its own labels, and links the API reference.
        foreach (var c in classes) await Expect(Page.Locator("#info-labels")).ToContainTextAsync(c.GetProperty("label").GetString()!);
        await Expect(Page.Locator("#info-quant")).ToHaveTextAsync("无（fp32）");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "API 参考文档" })).ToHaveAttributeAsync("href", "/scalar/v1");

        // The analysis is remembered in the local history, and survives a reload.
        await Expect(Page.Locator("#history li")).ToHaveCountAsync(1);
        await Page.ReloadAsync();
        await Expect(Page.Locator("#history li").First).ToContainTextAsync(review);
        await Expect(Page.Locator("#history li").First).ToContainTextAsync($"{label} {percent}");
        await AssertCleanAsync();
    }

    [Fact]
    public async Task CtrlEnterAnalysesAndExamplesAndTheEnglishToggleWork()
    {
        await OpenAsync();
        const string review = "质量太差了，用了两天就坏了";
        var (label, percent, _) = (await web.Server.VerdictsAsync(review))[0];
        await Page.GetByLabel("输入一段中文评论").FillAsync(review);
        await Page.GetByLabel("输入一段中文评论").PressAsync("Control+Enter");
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(label);
        await Expect(Page.Locator("#verdict-score")).ToHaveTextAsync(percent);

        var example = Page.Locator("#examples button").Nth(2);
        var exampleText = await example.TextContentAsync();
        var (exampleLabel, examplePercent, _) = (await web.Server.VerdictsAsync(exampleText!))[0];
        await example.ClickAsync();
        await Expect(Page.Locator("#text")).ToHaveValueAsync(exampleText!);
        await Expect(Page.Locator("#verdict-score")).ToHaveTextAsync(examplePercent);
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(exampleLabel);

        await Button("English").ClickAsync();
        await Expect(Button("Analyse")).ToBeVisibleAsync();
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(Page.GetByLabel("Enter a Chinese review")).ToHaveValueAsync(exampleText!);
        await Button("中文").ClickAsync();
        await Expect(Button("开始分析")).ToBeVisibleAsync();
        await AssertCleanAsync();
    }

    [Fact]
    public async Task MarkupInTheInputStaysText()
    {
        await OpenAsync();
        var (label, _, _) = (await web.Server.VerdictsAsync(Xss))[0];
        await Page.GetByLabel("输入一段中文评论").FillAsync(Xss);
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(label);
        await Expect(Page.Locator("#history li").First).ToContainTextAsync(Xss);

        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync($"{Xss}\n<script>alert(2)</script>");
        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#results-table tbody tr").Nth(0).Locator("td").Nth(1)).ToHaveTextAsync(Xss);
        await Expect(Page.Locator("#results-table tbody tr").Nth(1).Locator("td").Nth(1)).ToHaveTextAsync("<script>alert(2)</script>");
        Assert.Equal(1, await Page.EvaluateAsync<int>("document.querySelectorAll('script').length"));
        await AssertCleanAsync();
    }

    [Fact]
    public async Task EmptyInputAndUnusableFilesAreExplainedInline()
    {
        await OpenAsync();
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#single-error")).ToHaveTextAsync("请先输入要分析的文本。");
        await Page.GetByLabel("输入一段中文评论").FillAsync("   \n ");
        await Page.GetByLabel("输入一段中文评论").PressAsync("Control+Enter");
        await Expect(Page.Locator("#single-error")).ToHaveTextAsync("请先输入要分析的文本。");
        await Expect(Page.Locator("#result")).ToBeHiddenAsync();
        await Expect(Button("开始分析")).ToBeEnabledAsync();

        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#batch-error")).ToHaveTextAsync("请至少粘贴一行文本。");

        // A file that is not a table of texts, and one with an unclosed quote, are explained too.
        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = [1, 2, 3] });
        await Expect(Page.Locator("#batch-error")).ToHaveTextAsync("只支持 .csv、.tsv 和 .txt 文件。");
        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("a,\"b\n1,2\n") });
        await Expect(Page.Locator("#batch-error")).ToHaveTextAsync("第 1 行（列名）的引号没有闭合，文件不是有效的 CSV。");
        await Expect(Button("分析文件")).ToBeDisabledAsync();
        // A path (not a buffer) lets the browser read the file itself; the sparse file costs nothing to make.
        var big = Path.Combine(Directory.CreateTempSubdirectory("zhsenti-web-").FullName, "big.txt");
        using (var file = File.Create(big)) file.SetLength(21 * 1024 * 1024);
        await Page.Locator("#file").SetInputFilesAsync(big);
        await Expect(Page.Locator("#batch-error")).ToHaveTextAsync("文件太大（21.0 MB），上限是 20 MB。");
        Directory.Delete(Path.GetDirectoryName(big)!, recursive: true);
        await Expect(Button("分析文件")).ToBeDisabledAsync();
        await AssertCleanAsync();
    }

    [Fact]
    public async Task BusyServiceNetworkFailureAndStoppingLeaveThePageUsable()
    {
        await OpenAsync();
        int calls = 0;
        await Page.RouteAsync("**/v1/sentiment", route =>
        {
            calls++;
            return route.FulfillAsync(new()
            {
                Status = 503,
                Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
                ContentType = "application/problem+json",
                Body = "{\"status\":503,\"detail\":\"The queue is full.\"}",
            });
        });
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync("一\n二");
        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#progress-text")).ToContainTextAsync("服务繁忙");
        await Expect(Page.Locator("#batch-error")).ToHaveTextAsync("服务繁忙（或模型仍在加载），请稍后再试。", new() { Timeout = 15_000 });
        Assert.Equal(5, calls); // the first try and four retries after Retry-After
        await Expect(Button("分析全部")).ToBeEnabledAsync();
        await Expect(Page.Locator("#progress-box")).ToBeHiddenAsync();

        await Page.UnrouteAsync("**/v1/sentiment");
        await Page.RouteAsync("**/v1/sentiment", route => route.AbortAsync("connectionrefused"));
        await Page.GetByLabel("输入一段中文评论").FillAsync("服务还好吗");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#single-error")).ToHaveTextAsync("无法连接到服务，请检查网络或服务是否仍在运行。");
        await Expect(Button("开始分析")).ToBeEnabledAsync();

        // 「停止」 ends a file's run while a batch is in flight; the finished batches stay.
        await Page.UnrouteAsync("**/v1/sentiment");
        int sent = 0;
        await Page.RouteAsync("**/v1/sentiment", async route =>
        {
            if (++sent > 1) await Task.Delay(1500);
            try { await route.ContinueAsync(); }
            catch (PlaywrightException) { } // the page stopped waiting
        });
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync(string.Join("\n", Enumerable.Range(1, 120).Select(i => $"第{i}条评论")));
        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#progress-text")).ToHaveTextAsync("已分析 50 / 120 条");
        await Button("停止").ClickAsync();
        await Expect(Page.Locator("#batch-error")).ToHaveTextAsync("已停止：显示已完成的 50 条。");
        // Every row is there, a page of 50 at a time.
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(50);
        await Expect(Page.Locator("#page-note")).ToHaveTextAsync("共 120 条，符合条件 120 条，第 1 / 3 页");
        await Page.GetByLabel("按标签筛选").SelectOptionAsync(new SelectOptionValue { Label = "未分析" });
        await Expect(Page.Locator("#page-note")).ToHaveTextAsync("共 120 条，符合条件 70 条，第 1 / 2 页");
        await Button("下一页").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(20);
        await Expect(Page.Locator("#results-table tbody tr").Last.Locator("td").Nth(1)).ToHaveTextAsync("第120条评论");
        await Expect(Button("分析全部")).ToBeEnabledAsync();
        await AssertCleanAsync();
    }

    [Fact]
    public async Task UploadedCsvIsAnalysedShownChartedAndDownloadedWithItsColumns()
    {
        await OpenAsync();
        string longReview = string.Concat(Enumerable.Repeat("服务很好但是价格偏高", 10));
        string[] reviews = ["物流很快，包装也很用心, 五星好评", "质量太差了用了两天就坏了", "他说\"还行\"，\n但是第二天就退货了", Xss, longReview, ""];
        var csv = new StringBuilder("id,review,stars\r\n");
        for (int i = 0; i < reviews.Length; i++) csv.Append($"{i + 1},{Quote(reviews[i])},{i % 5 + 1}\r\n");
        var analysed = reviews[..^1];
        var verdicts = await web.Server.VerdictsAsync(analysed);

        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "reviews.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await Expect(Page.Locator("#file-summary")).ToHaveTextAsync("reviews.csv：6 行，3 列，编码 UTF-8");
        await Page.GetByLabel("文本所在的列").SelectOptionAsync(new SelectOptionValue { Label = "id" });
        await Page.GetByLabel("文本所在的列").SelectOptionAsync(new SelectOptionValue { Label = "review" });
        await Button("分析文件").ClickAsync();

        var rows = Page.Locator("#results-table tbody tr");
        await Expect(rows).ToHaveCountAsync(reviews.Length);
        for (int i = 0; i < analysed.Length; i++)
        {
            await Expect(rows.Nth(i).Locator("td").Nth(4)).ToContainTextAsync(verdicts[i].Shown);
            await Expect(rows.Nth(i).Locator("td").Nth(5)).ToHaveTextAsync(verdicts[i].Percent);
        }
        // The file's own columns are shown, between the row number and the verdict.
        await Expect(Page.Locator("#results-table thead th")).ToHaveTextAsync(["序号", "id", "review", "stars", "情感", "置信度"]);
        await Expect(rows.Nth(2).Locator("td").Nth(1)).ToHaveTextAsync("3");
        await Expect(rows.Nth(2).Locator("td").Nth(3)).ToHaveTextAsync("3");
        await Expect(rows.Nth(5).Locator("td").Nth(4)).ToHaveTextAsync("空文本，未分析");
        await Expect(Page.Locator("#page-note")).ToHaveTextAsync("共 6 条，符合条件 6 条，第 1 / 1 页");

        // Long texts are cut, with the whole text a click away.
        var longCell = rows.Nth(4).Locator("td").Nth(2);
        await Expect(longCell).Not.ToContainTextAsync(longReview);
        await longCell.GetByRole(AriaRole.Button, new() { Name = "展开" }).ClickAsync();
        await Expect(longCell.Locator("span")).ToHaveTextAsync(longReview);

        // Charts: one bar per label plus the skipped row; the histogram counts every analysed text once.
        var labels = verdicts.Select(v => v.Shown).ToArray();
        await Expect(Page.Locator("#dist-chart rect")).ToHaveCountAsync(3);
        foreach (var group in labels.GroupBy(l => l))
            await Expect(Page.Locator("#dist-chart")).ToContainTextAsync($"{group.Key}{group.Count()} ({group.Count() * 100.0 / reviews.Length:0.0}%)");
        await Expect(Page.Locator("#hist-chart rect")).ToHaveCountAsync(10);
        var histogram = await Page.Locator("#hist-chart").GetAttributeAsync("aria-label");
        Assert.Equal(analysed.Length, Regex.Matches(histogram!, @"%: (\d+)").Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));

        // Sorting by confidence puts the highest first; filtering keeps one label.
        await Page.GetByRole(AriaRole.Button, new() { Name = "置信度", Exact = true }).ClickAsync();
        await Expect(Page.Locator("th[data-sort=score]")).ToHaveAttributeAsync("aria-sort", "descending");
        var top = verdicts.OrderByDescending(v => v.Result.GetProperty("score").GetDouble()).First();
        await Expect(rows.First.Locator("td").Nth(5)).ToHaveTextAsync(top.Percent);
        await Page.GetByLabel("按标签筛选").SelectOptionAsync(new SelectOptionValue { Label = labels[0] });
        await Expect(rows).ToHaveCountAsync(labels.Count(l => l == labels[0]));
        for (int i = 0; i < labels.Count(l => l == labels[0]); i++) await Expect(rows.Nth(i).Locator("td").Nth(4)).ToContainTextAsync(labels[0]);
        await Page.GetByLabel("按标签筛选").SelectOptionAsync(new SelectOptionValue { Label = "未分析" });
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First.Locator("td").First).ToHaveTextAsync("6");

        // The download holds every row, whatever the table shows, under zhsenti score's columns.
        var table = await DownloadAsync("reviews-sentiment.csv");
        var header = table[0];
        // One prob_ column per class, under the model's own label (as zhsenti score names them).
        string[] classes = ["prob_负面", "prob_正面"];
        Assert.Equal(["id", "review", "stars", "label", "score", .. classes, "error"], header);
        Assert.Equal(reviews.Length, table.Count - 1);
        for (int i = 0; i < reviews.Length; i++)
        {
            var row = table[i + 1];
            Assert.Equal([(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), reviews[i], (i % 5 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], row[..3]);
            if (i < analysed.Length)
            {
                Assert.Equal(verdicts[i].Result.GetProperty("label").GetString(), row[3]);
                Assert.Equal(verdicts[i].Result.GetProperty("score").GetDouble(), double.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture), 6);
                var probabilities = verdicts[i].Result.GetProperty("probabilities").EnumerateArray().ToArray();
                for (int c = 0; c < classes.Length; c++)
                    Assert.Equal(probabilities[c].GetProperty("score").GetDouble(), double.Parse(row[5 + c], System.Globalization.CultureInfo.InvariantCulture), 6);
                Assert.Equal("", row[^1]);
            }
            else
            {
                Assert.All(row[3..^1], Assert.Empty);
                Assert.Equal("empty text", row[^1]);
            }
        }
        await AssertCleanAsync();
    }

    [Fact]
    public async Task Gb18030TsvIsDecodedAndItsTextColumnGuessed()
    {
        await OpenAsync();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        string[] reviews = ["这个手机的屏幕非常清晰", "售后服务太糟糕了"];
        var tsv = "编号\t评论\n" + string.Join("\n", reviews.Select((r, i) => $"{i}\t{r}")) + "\n";
        var verdicts = await web.Server.VerdictsAsync(reviews);

        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "评论.tsv", MimeType = "text/tab-separated-values", Buffer = Encoding.GetEncoding("GB18030").GetBytes(tsv) });
        await Expect(Page.Locator("#file-summary")).ToHaveTextAsync("评论.tsv：2 行，2 列，编码 GB18030");
        await Expect(Page.GetByLabel("文本所在的列")).ToHaveValueAsync("1");
        await Button("分析文件").ClickAsync();
        var rows = Page.Locator("#results-table tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        for (int i = 0; i < reviews.Length; i++)
        {
            await Expect(rows.Nth(i).Locator("td").Nth(2)).ToHaveTextAsync(reviews[i]);
            await Expect(rows.Nth(i).Locator("td").Nth(3)).ToContainTextAsync(verdicts[i].Shown);
        }
        await AssertCleanAsync();
    }

    [Theory]
    [InlineData("phone", 390)]
    [InlineData("desktop", 1280)]
    public async Task FullPageScreenshotWithResultsFitsTheWidth(string name, int width)
    {
        await OpenAsync(width);
        await Page.GetByLabel("输入一段中文评论").FillAsync("这家店的服务态度真是太好了");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#result")).ToBeVisibleAsync();
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync(
            "物流很快，包装也很用心\n质量太差了，用了两天就坏了\n客服一直不回复\n" + string.Concat(Enumerable.Repeat("价格实惠，性价比很高，", 12)));
        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(4);
        await Expect(Page.Locator("#info-name")).ToContainTextAsync("modelscope");

        Assert.True(await Page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= width, "the page scrolls sideways");
        // Every form control has a label a screen reader announces.
        var unlabelled = await Page.EvaluateAsync<string[]>(
            "[...document.querySelectorAll('input, textarea, select')].filter(e => !e.labels?.length && !e.getAttribute('aria-label')).map(e => e.id)");
        Assert.Empty(unlabelled);

        Directory.CreateDirectory(BrowserFixture.ScreenshotFolder);
        var path = Path.Combine(BrowserFixture.ScreenshotFolder, $"{name}-{width}.png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000);
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {path}");
        TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
        await AssertCleanAsync();
    }

    [Fact]
    public async Task KeyboardAloneReachesTheResult()
    {
        await OpenAsync();
        var (label, _, _) = (await web.Server.VerdictsAsync("还不错"))[0];
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.Locator(".skip")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.Locator("#lang")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.Locator("#text")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync("还不错");
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.Locator("#analyze")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(label);
        await AssertCleanAsync();
    }

    [Fact]
    public async Task WithAnApiKeyThePageLoadsAndAsksForTheKey()
    {
        Assert.SkipWhen(web.SkipReason is not null, web.SkipReason ?? "");
        await using var server = await web.StartServerAsync(new() { ["ApiKey"] = "s3cret" });
        using (var page = await server.Client.GetAsync("/", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using (var info = await server.Client.GetAsync("/info", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Unauthorized, info.StatusCode);

        await OpenAsync(server: server);
        await Expect(Page.Locator("#model-status")).ToContainTextAsync("服务需要有效的 API 密钥");
        await Page.GetByLabel("输入一段中文评论").FillAsync("还不错");
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#single-error")).ToContainTextAsync("服务需要有效的 API 密钥");

        await Page.GetByLabel("服务要求密钥时填写（只保存在本标签页）").FillAsync("s3cret");
        await Button("保存").ClickAsync();
        await Expect(Page.Locator("#info-name")).ToContainTextAsync("modelscope");
        Assert.Equal("s3cret", await Page.EvaluateAsync<string>("sessionStorage.getItem('zhsenti.apiKey')"));
        server.Client.DefaultRequestHeaders.Authorization = new("Bearer", "s3cret");
        var (label, percent, _) = (await server.VerdictsAsync("还不错"))[0];
        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(label);
        await Expect(Page.Locator("#verdict-score")).ToHaveTextAsync(percent);
        await AssertCleanAsync();
    }

    [Fact]
    public async Task AnUnclosedQuoteMarksItsRowAndTheRestIsAnalysed()
    {
        await OpenAsync();
        var csv = "id,review\n1,物流很快\n2,\"坏了，\n3,质量不错\n";
        var verdicts = await web.Server.VerdictsAsync("物流很快", "质量不错");
        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "quote.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await Expect(Page.Locator("#file-summary")).ToHaveTextAsync("quote.csv：3 行，2 列，编码 UTF-8 1 行的引号没有闭合，已标出，其余照常分析。");
        await Expect(Page.Locator("#batch-error")).ToBeHiddenAsync();
        await Button("分析文件").ClickAsync();

        var rows = Page.Locator("#results-table tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0).Locator("td").Nth(3)).ToContainTextAsync(verdicts[0].Shown);
        await Expect(rows.Nth(1).Locator("td").Nth(3)).ToHaveTextAsync("第 3 行的引号没有闭合，未分析");
        await Expect(rows.Nth(2).Locator("td").Nth(2)).ToHaveTextAsync("质量不错");
        await Expect(rows.Nth(2).Locator("td").Nth(3)).ToContainTextAsync(verdicts[1].Shown);
        // As zhsenti score marks the same row.
        var table = await DownloadAsync("quote-sentiment.csv");
        Assert.Equal("line 3: unterminated quoted field", table[2][^1]);
        Assert.Equal(["3", "质量不错", verdicts[1].Result.GetProperty("label").GetString()!], table[3][..3]);
        await AssertCleanAsync();
    }

    [Fact]
    public async Task TheTextColumnFollowsTheSharedRuleAndIsAskedForWhenNoneFits()
    {
        await OpenAsync();
        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "a.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("编号,Comment,评价\n1,很好,还行\n") });
        await Expect(Page.GetByLabel("文本所在的列")).ToHaveValueAsync("1");
        await Expect(Button("分析文件")).ToBeEnabledAsync();

        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "b.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("id,body\n1,很好\n") });
        await Expect(Page.GetByLabel("文本所在的列")).ToHaveValueAsync("");
        await Expect(Page.Locator("#batch-error")).ToContainTextAsync("看不出哪一列是文本");
        await Expect(Page.Locator("#batch-error")).ToContainTextAsync("各列：id, body");
        await Expect(Button("分析文件")).ToBeDisabledAsync();
        await Page.GetByLabel("文本所在的列").SelectOptionAsync(new SelectOptionValue { Label = "body" });
        await Expect(Button("分析文件")).ToBeEnabledAsync();
        await Expect(Page.Locator("#batch-error")).ToBeHiddenAsync();
        await AssertCleanAsync();
    }

    [Fact]
    public async Task ANewFileRetiresTheLastResultsAndEditingRetiresErrors()
    {
        await OpenAsync();
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync("很好\n很差");
        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr")).ToHaveCountAsync(2);

        await Page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = [1, 2, 3] });
        await Expect(Page.Locator("#batch-error")).ToHaveTextAsync("只支持 .csv、.tsv 和 .txt 文件。");
        await Expect(Page.Locator("#batch-results")).ToBeHiddenAsync();
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync("还行");
        await Expect(Page.Locator("#batch-error")).ToBeHiddenAsync();

        await Button("开始分析").ClickAsync();
        await Expect(Page.Locator("#single-error")).ToBeVisibleAsync();
        await Page.GetByLabel("输入一段中文评论").FillAsync("还");
        await Expect(Page.Locator("#single-error")).ToBeHiddenAsync();
        await AssertCleanAsync();
    }

    [Fact]
    public async Task EveryRowIsReachableBySearchConfidenceAndPages()
    {
        await OpenAsync();
        var texts = Enumerable.Range(1, 60).Select(i => $"第{i}条评论").ToArray();
        var verdicts = await web.Server.VerdictsAsync(texts);
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync(string.Join("\n", texts));
        await Button("分析全部").ClickAsync();
        var rows = Page.Locator("#results-table tbody tr");
        await Expect(Page.Locator("#page-note")).ToHaveTextAsync("共 60 条，符合条件 60 条，第 1 / 2 页");
        await Expect(Button("上一页")).ToBeDisabledAsync();
        await Button("下一页").ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        await Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync("第51条评论");
        await Expect(Button("下一页")).ToBeDisabledAsync();

        await Page.GetByLabel("搜索").FillAsync("第5");
        await Expect(Page.Locator("#page-note")).ToHaveTextAsync("共 60 条，符合条件 11 条，第 1 / 1 页");
        await Page.GetByLabel("搜索").FillAsync("");

        int high = verdicts.Count(v => v.Result.GetProperty("score").GetDouble() >= 0.9);
        await Page.GetByLabel("按置信度筛选").SelectOptionAsync(new SelectOptionValue { Label = "90% 及以上" });
        await Expect(Page.Locator("#page-note")).ToHaveTextAsync($"共 60 条，符合条件 {high} 条，第 1 / {Math.Max(1, (high + 49) / 50)} 页");
        await Page.GetByLabel("按置信度筛选").SelectOptionAsync(new SelectOptionValue { Label = "低于 70%" });
        int low = verdicts.Count(v => v.Result.GetProperty("score").GetDouble() < 0.7);
        await Expect(Page.Locator("#page-note")).ToContainTextAsync($"符合条件 {low} 条");
        await AssertCleanAsync();
    }

    [Fact]
    public async Task EnglishShowsTheCanonicalLabels()
    {
        await OpenAsync();
        const string review = "这家店的服务态度真是太好了";
        var (_, _, result) = (await web.Server.VerdictsAsync(review))[0];
        await Button("English").ClickAsync();
        await Page.GetByLabel("Enter a Chinese review").FillAsync(review);
        await Button("Analyse").ClickAsync();
        await Expect(Page.Locator("#verdict-label")).ToHaveTextAsync(result.GetProperty("label").GetString()!);
        await Expect(Page.Locator("#probs")).ToContainTextAsync("Negative");
        await Expect(Page.Locator("#probs")).ToContainTextAsync("Positive");
        await Expect(Page.Locator("#info-labels")).ToHaveTextAsync("😠 Negative、😄 Positive");
        await Page.GetByLabel("Paste texts, one per line").FillAsync(review);
        await Button("Analyse all").ClickAsync();
        await Expect(Page.Locator("#results-table tbody tr").First.Locator("td").Nth(2)).ToContainTextAsync(result.GetProperty("label").GetString()!);
        foreach (var chinese in new[] { "正面", "负面" })
            Assert.DoesNotContain(chinese, await Page.Locator("main").InnerTextAsync());
        await AssertCleanAsync();
    }

    [Fact]
    public async Task TheModelSectionShowsNameKindUseAndAccuracyButNoServerPath()
    {
        await OpenAsync();
        await Expect(Page.Locator("#info-kind")).ToHaveTextAsync("structbert 检查点");
        // The fixture's card says nothing, so neither line shows.
        await Expect(Page.Locator("#info-good-for")).ToBeHiddenAsync();
        Assert.DoesNotContain(BrowserFixture.ModelFolder, await Page.Locator("body").InnerTextAsync());

        await Page.RouteAsync("**/info", async route =>
        {
            var response = await route.FetchAsync();
            var info = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!;
            info["architecture"] = "zhsenti-ngram";
            info["good_for"] = "中文商品评论";
            info["accuracy"] = "90.4 % (ChnSentiCorp dev)";
            await route.FulfillAsync(new() { Response = response, Body = info.ToJsonString() });
        });
        await Page.ReloadAsync();
        await Expect(Page.Locator("#info-kind")).ToHaveTextAsync("本项目训练的紧凑字符 n-gram 模型");
        await Expect(Page.Locator("#info-good-for")).ToHaveTextAsync("中文商品评论");
        await Expect(Page.Locator("#info-accuracy")).ToHaveTextAsync("90.4 % (ChnSentiCorp dev)");
        await Expect(Page.Locator("#info-name")).ToHaveTextAsync("modelscope");
        await AssertCleanAsync();
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1280)]
    public async Task ChartsLineUpKeepTheirLabelsInsideAndReadableAndPhonesGetNoShortcutHint(int width)
    {
        await OpenAsync(width);
        await Expect(Page.Locator(".shortcut")).ToBeVisibleAsync(new() { Visible = width > 700 });
        await Page.GetByLabel("粘贴多条文本，每行一条").FillAsync("物流很快\n质量太差了\n\n客服一直不回复\n还行吧");
        await Button("分析全部").ClickAsync();
        await Expect(Page.Locator("#hist-chart rect")).ToHaveCountAsync(10);
        var heights = await Page.EvaluateAsync<double[]>("[...document.querySelectorAll('.charts figure')].map(f => f.getBoundingClientRect().height)");
        Assert.True(Math.Abs(heights[0] - heights[1]) < 1, $"chart cards {heights[0]} and {heights[1]} px high");
        // Every label lies inside its chart, and is drawn at least 12 px high.
        var outside = await Page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('.charts svg')].flatMap(svg => {
              const box = svg.getBoundingClientRect();
              return [...svg.querySelectorAll('text')].filter(t => {
                const r = t.getBoundingClientRect();
                return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.height < 12;
              }).map(t => t.textContent);
            })
            """);
        Assert.Empty(outside);
        await AssertCleanAsync();
    }

    private async Task<List<string[]>> DownloadAsync(string name)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => Button("下载结果 CSV").ClickAsync());
        Assert.Equal(name, download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        return ParseCsv(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    /// <summary>RFC 4180, as a spreadsheet reads the downloaded file.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { }
            else if (c == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add([.. row]); row.Clear(); }
            else field.Append(c);
        }
        Assert.False(quoted, "the download ends inside a quoted field");
        Assert.True(field.Length == 0 && row.Count == 0, "the download does not end with a line break");
        return rows;
    }
}
