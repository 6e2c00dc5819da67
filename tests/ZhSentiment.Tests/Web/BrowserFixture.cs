using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using ZhSentiment.Cli;
using ZhSentiment.Inference;
using ZhSentiment.Serving;
using ZhSentiment.Tests.Inference;
using ZhSentiment.Tests.Serving;

namespace ZhSentiment.Tests.Web;

/// <summary>
/// One headless Chromium (the system's, driven by Playwright) and one service on a Kestrel loopback port serving the
/// random-weight ModelScope fixture, shared by a test class. Chromium is <c>$ZHSENTI_CHROMIUM</c> or the system's;
/// without it, tests skip with <see cref="SkipReason"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

    private IPlaywright? _playwright;
    private readonly string _cache = Directory.CreateTempSubdirectory("zhsenti-web-").FullName;

    public string? SkipReason { get; private set; }
    public IBrowser Browser { get; private set; } = null!;
    public WebServer Server { get; private set; } = null!;

    /// <summary>Where the tests save their screenshots.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public static string ModelFolder => Path.Combine(TestPaths.Fixtures, "models", "modelscope");

    public async ValueTask InitializeAsync()
    {
        string[] candidates = Environment.GetEnvironmentVariable("ZHSENTI_CHROMIUM") is { Length: > 0 } set ? [set] : ChromiumPaths;
        if (candidates.FirstOrDefault(File.Exists) is not { } chromium)
        {
            SkipReason = $"No Chromium at {string.Join(" or ", candidates)} (apt-get install chromium; .ci/run does)";
            return;
        }
        Server = await StartServerAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs });
    }

    /// <summary>The service as <c>zhsenti serve --model Fixtures/models/modelscope</c> runs it, on a free loopback port.</summary>
    public Task<WebServer> StartServerAsync(Dictionary<string, string?>? settings = null) => WebServer.StartAsync(ModelFolder, _cache, settings ?? []);

    /// <summary>
    /// The service on a free loopback port serving an <see cref="ArithmeticModel"/> with these labels, whose answers a test
    /// can work out by hand: with ModelScope's seven emotions (<see cref="EmotionApiTests.SevenEmotions"/>) an emotion
    /// model, logit k counting the letter 'a' + k ("ffff" is anger); with star 1 … star 5 a star-rating model.
    /// </summary>
    public Task<WebServer> StartArithmeticServerAsync(IReadOnlyList<string> labels, Dictionary<string, string?>? settings = null) =>
        WebServer.StartAsync(_cache, settings ?? [], _ => (spec, _) =>
        {
            var model = new ArithmeticModel(labels: labels.Count);
            return Task.FromResult(new SentimentEngine(model, model, LabelSet.FromModelLabels(labels), TestService.Info, spec.Load.Engine));
        });

    /// <summary>The service on the seven-emotion arithmetic model (see <see cref="StartArithmeticServerAsync"/>).</summary>
    public Task<WebServer> StartEmotionServerAsync() => StartArithmeticServerAsync(EmotionApiTests.SevenEmotions);

    /// <summary>A fresh browser context (empty storage) and page of the given width, recording dialogs and script errors.</summary>
    public async Task<BrowserPage> OpenAsync(int width, WebServer? server = null)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = (server ?? Server).Address.ToString(),
            ViewportSize = new() { Width = width, Height = width < 600 ? 844 : 900 },
            Locale = "zh-CN",
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        var opened = new BrowserPage(context, page);
        page.Dialog += (_, dialog) =>
        {
            opened.Dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.PageError += (_, error) => opened.Errors.Add(error);
        await page.GotoAsync("/");
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }
}

/// <summary>A page in its own browser context, with the dialogs it opened and its uncaught script errors.</summary>
public sealed class BrowserPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;
    public List<string> Dialogs { get; } = [];
    public List<string> Errors { get; } = [];

    public ValueTask DisposeAsync() => context.DisposeAsync();
}

/// <summary>The real service on Kestrel, and a client for asking it directly what the page should show.</summary>
public sealed class WebServer : IAsyncDisposable
{
    private WebServer(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }

    public static Task<WebServer> StartAsync(string modelFolder, string cache, Dictionary<string, string?> settings) =>
        StartAsync(cache, new(settings) { ["Model"] = modelFolder }, _ => (spec, cancellationToken) =>
            Task.Run(() => ModelLoader.Load(spec.Source!, spec.Load), cancellationToken));

    /// <summary>The service with its models from <paramref name="modelFactory"/>, as <see cref="ServiceApp.Build"/> takes it.</summary>
    public static async Task<WebServer> StartAsync(string cache, Dictionary<string, string?> settings, Func<IServiceProvider, ModelFactory> modelFactory)
    {
        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            [$"{ServiceOptions.Section}:CacheDirectory"] = cache,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings) config[$"{ServiceOptions.Section}:{key}"] = value;
        var app = ServiceApp.Build(ServeCommand.CreateBuilder(config, []), modelFactory);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        var server = new WebServer(app, address);
        await Readiness.WaitAsync(server.Client, TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>What the API itself answers for the texts: the label and the score, as the page must show them.</summary>
    public async Task<(string Shown, string Percent, JsonElement Result)[]> VerdictsAsync(params string[] texts)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sentiment") { Content = JsonContent.Create(new { texts }) };
        foreach (var header in Client.DefaultRequestHeaders) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return [.. body.GetProperty("results").EnumerateArray().Select(r =>
            (Shown(r.GetProperty("label").GetString()!), Percent(r.GetProperty("score").GetDouble()), r))];
    }

    /// <summary>POSTs a body and returns the answer's <c>results</c>.</summary>
    public async Task<JsonElement> ResultsAsync(string path, object body)
    {
        using var response = await Client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("results");
    }

    /// <summary>An answer's label as the Chinese page shows it: the side's name, whatever the model calls its classes.</summary>
    public static string Shown(string label) => label switch
    {
        "Positive" => "正面",
        "Negative" => "负面",
        "Neutral" => "中性",
        _ => label,
    };

    /// <summary>A score as the page writes it (JavaScript's <c>(score * 100).toFixed(1) + '%'</c>).</summary>
    public static string Percent(double score) => (score * 100).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + "%";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
