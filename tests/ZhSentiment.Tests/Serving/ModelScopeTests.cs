using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ZhSentiment.Models;

namespace ZhSentiment.Tests.Serving;

public sealed class ModelScopeTests : IDisposable
{
    private static readonly ModelScopeId Model = new(FakeModelScope.Owner, FakeModelScope.Name, "master");
    private readonly string _root = Directory.CreateTempSubdirectory("zhsenti-modelscope-").FullName;
    private readonly HttpClient _http = ModelScopeClient.CreateHttpClient();
    private readonly ConcurrentQueue<DownloadEvent> _events = new();

    private string Cache => Path.Combine(_root, "zhsenti");
    private string TheirCache => Path.Combine(_root, "modelscope");

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private ModelScopeSettings Settings(Uri endpoint) => new()
    {
        Endpoint = endpoint,
        CacheRoot = Cache,
        ModelScopeCache = TheirCache,
        Home = _root,
        FirstRetryDelay = TimeSpan.FromMilliseconds(10),
        ReadTimeout = TimeSpan.FromSeconds(2),
    };

    private Task<string> DownloadAsync(FakeModelScope hub, ModelScopeId? id = null, Func<ModelScopeSettings, ModelScopeSettings>? adjust = null) =>
        DownloadAsync(adjust?.Invoke(Settings(hub.Endpoint)) ?? Settings(hub.Endpoint), id);

    private Task<string> DownloadAsync(ModelScopeSettings settings, ModelScopeId? id = null) =>
        new ModelScopeClient(_http, settings).DownloadAsync(id ?? Model, _events.Enqueue, TestContext.Current.CancellationToken);

    private string Folder => Settings(new Uri("http://unused")).CacheFolder(Model);

    private IEnumerable<string> Messages(DownloadStage stage) => _events.Where(e => e.Stage == stage).Select(e => e.Message);

    private static void AssertSameFiles(FakeModelScope hub, string folder)
    {
        var found = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => f != ModelScopeClient.ListingFile).Order();
        Assert.Equal(hub.Files.Keys.Order(), found);
        foreach (var (path, bytes) in hub.Files) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(folder, path)));
    }

    private static int FileRequests(FakeModelScope hub) => hub.Requests.Count(r => r.Contains("FilePath=") || r.StartsWith("/oss/", StringComparison.Ordinal));

    [Fact]
    public async Task DownloadsEveryListedFileThenAsksOnlyForTheListingAndFallsBackToTheCacheWithoutTheHub()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var folder = await DownloadAsync(hub);

        Assert.Equal(Path.Combine(Cache, "modelscope", "damo", "sentiment-test", "master"), folder);
        AssertSameFiles(hub, folder);
        Assert.False(File.Exists(Path.Combine(folder, ".gitattributes")));
        Assert.False(Directory.Exists(folder + ".partial"));
        Assert.Contains("/api/v1/models/damo/sentiment-test/revisions", hub.Requests);
        Assert.Contains("/api/v1/models/damo/sentiment-test/repo/files?Revision=master&Recursive=true", hub.Requests);
        Assert.Contains("/api/v1/models/damo/sentiment-test/repo?Revision=master&FilePath=resources%2Fnotes.txt", hub.Requests);
        Assert.Contains(_events, e => e.Stage == DownloadStage.Planned && e.Total == hub.Files.Values.Sum(b => b.Length));
        Assert.Equal(hub.Files.Values.Sum(b => b.Length), _events.Where(e => e.Stage == DownloadStage.Progressed).Sum(e => e.Bytes));

        // Unchanged on the hub: the listing is asked for, no file.
        int files = FileRequests(hub);
        Assert.Equal(folder, await DownloadAsync(hub));
        Assert.Equal(files, FileRequests(hub));

        var port = hub.Endpoint.Port;
        await hub.DisposeAsync();
        Assert.Equal(folder, await DownloadAsync(Settings(new Uri($"http://127.0.0.1:{port}"))));
        Assert.Contains(Messages(DownloadStage.Warning), m => m.Contains("cannot ask the hub") && m.Contains($"using {Model} as downloaded earlier, from {folder}"));
    }

    [Fact]
    public async Task ABranchThatMovedIsFetchedAgainKeepingTheFilesThatDidNotChange()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var folder = await DownloadAsync(hub);
        hub.Files["vocab.txt"] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n好\n坏\n"u8.ToArray();
        hub.Files.Remove("resources/notes.txt");
        int weights = hub.Requests.Count(r => r.Contains("FilePath=weights.bin"));

        Assert.Equal(folder, await DownloadAsync(hub));

        AssertSameFiles(hub, folder);
        Assert.Equal(weights, hub.Requests.Count(r => r.Contains("FilePath=weights.bin")));
        Assert.Contains(Messages(DownloadStage.Reused), m => m.Contains("weights.bin"));
    }

    [Fact]
    public async Task AnInterruptedFileResumesWhereItStopped()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.CutOff["weights.bin"] = (1, 100_000);

        var folder = await DownloadAsync(hub);

        AssertSameFiles(hub, folder);
        var weights = hub.Requests.Where(r => r.Contains("FilePath=weights.bin")).ToList();
        Assert.Equal(2, weights.Count);
        var resumedFrom = long.Parse(weights[1].Split("bytes=")[1].TrimEnd('-'));
        Assert.InRange(resumedFrom, 1, 100_000);
        Assert.Contains(Messages(DownloadStage.Retrying), m => m.Contains("weights.bin") && m.Contains("broke off"));
    }

    [Fact]
    public async Task AStalledTransferIsDroppedAfterTheReadTimeoutAndResumed()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Stall["weights.bin"] = (1, 100_000);
        var clock = Stopwatch.StartNew();

        var folder = await DownloadAsync(hub, adjust: s => s with { ReadTimeout = TimeSpan.FromMilliseconds(500) });

        AssertSameFiles(hub, folder);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        Assert.Contains(Messages(DownloadStage.Retrying), m => m.Contains("no data for 0.5 s"));
        Assert.EndsWith("Range: bytes=100000-", hub.Requests.Last(r => r.Contains("FilePath=weights.bin")));
    }

    [Fact]
    public async Task ADownloadThatKeepsFailingResumesOnTheNextRun()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.CutOff["weights.bin"] = (3, 0);

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub, adjust: s => s with { Attempts = 3 }));
        Assert.Contains("damo/sentiment-test/weights.bin failed 3 times in a row", failure.Message);
        Assert.Contains("what was downloaded is kept", failure.Message);
        Assert.False(Directory.Exists(Folder));
        Assert.True(File.Exists(Path.Combine(Folder + ".partial", "config.json")));

        hub.CutOff["weights.bin"] = (1, 50_000);
        await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub, adjust: s => s with { Attempts = 1 }));
        var part = new FileInfo(Path.Combine(Folder + ".partial", "weights.bin.part"));
        Assert.True(part.Length > 0);

        AssertSameFiles(hub, await DownloadAsync(hub));
        Assert.EndsWith($"Range: bytes={part.Length}-", hub.Requests.Last(r => r.Contains("FilePath=weights.bin")));
        Assert.Single(hub.Requests, r => r.Contains("FilePath=config.json"));
    }

    [Fact]
    public async Task ServerErrorsAreRetriedAndRetryAfterIsHonoured()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Fail("repo/files", 503, times: 2);
        hub.Fail("repo", 429, retryAfter: "1");
        var clock = Stopwatch.StartNew();

        AssertSameFiles(hub, await DownloadAsync(hub));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), clock.Elapsed.ToString());
        var retries = Messages(DownloadStage.Retrying).ToList();
        Assert.Equal(3, retries.Count);
        Assert.Contains(retries, m => m.StartsWith($"listing the files of {Model}: HTTP 503", StringComparison.Ordinal) && m.Contains("fault 503"));
        Assert.Contains(retries, m => m.Contains("HTTP 429") && m.Contains("retrying in 1 s"));
    }

    [Fact]
    public async Task AHubThatStaysDownFailsNamingTheLastErrorAndTheHubsMessage()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Fail("revisions", 502, times: 5);
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains($"listing the revisions of {Model} failed 5 times in a row, last with HTTP 502", failure.Message);
        Assert.Contains("fault 502", failure.Message);
        Assert.Contains("--model FOLDER", failure.Message);
    }

    [Fact]
    public async Task FilesOnDiskOfTheRightSizeButAnotherContentAreFetchedAgain()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var partial = Folder + ".partial";
        Directory.CreateDirectory(partial);
        // Left by an earlier run of another revision: a finished file and a part, both of the listed size.
        File.WriteAllBytes(Path.Combine(partial, "vocab.txt"), new byte[hub.Files["vocab.txt"].Length]);
        File.WriteAllBytes(Path.Combine(partial, "weights.bin.part"), new byte[hub.Files["weights.bin"].Length]);
        File.WriteAllText(Path.Combine(partial, "stale.txt"), "from another revision");

        var folder = await DownloadAsync(hub);

        AssertSameFiles(hub, folder);
        Assert.Contains(hub.Requests, r => r.Contains("FilePath=vocab.txt"));
        Assert.Contains(hub.Requests, r => r.Contains("FilePath=weights.bin") && !r.Contains("Range"));
    }

    [Fact]
    public async Task AFileOfTheWrongSizeIsRefusedAndRemoved()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.ListedSizes["vocab.txt"] = 1000;

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains($"sent {hub.Files["vocab.txt"].Length} bytes but the listing says 1,000", failure.Message);
        Assert.False(Directory.Exists(Folder));
        Assert.False(File.Exists(Path.Combine(Folder + ".partial", "vocab.txt.part")));
        Assert.False(File.Exists(Path.Combine(Folder + ".partial", "vocab.txt")));
    }

    [Fact]
    public async Task AFileWithTheWrongHashIsRefusedAndRemoved()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.ListedSha256["config.json"] = new string('0', 64);

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains("FilePath=config.json", failure.Message);
        Assert.Contains("SHA-256 differs", failure.Message);
        Assert.False(File.Exists(Path.Combine(Folder + ".partial", "config.json.part")));
        Assert.False(File.Exists(Path.Combine(Folder + ".partial", "config.json")));
    }

    [Fact]
    public async Task AnUnknownModelSaysItDoesNotExistWithTheHubsMessage()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub, new ModelScopeId("nobody", "nothing", "v2")));
        Assert.StartsWith("ModelScope says modelscope:nobody/nothing@v2 does not exist (HTTP 404 from", failure.Message);
        Assert.Contains("/api/v1/models/nobody/nothing/revisions: model not found)", failure.Message);
    }

    [Fact]
    public async Task AnUnknownRevisionNamesTheRevisionsThatExist()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub, Model with { Revision = "v9" }));
        Assert.Equal("modelscope:damo/sentiment-test has no revision 'v9'; it has v1.0.1, v1.0.0, master.", failure.Message);

        // A tag downloads into its own folder, named after it.
        var tagged = await DownloadAsync(hub, Model with { Revision = "v1.0.1" });
        Assert.EndsWith(Path.Combine("sentiment-test", "v1.0.1"), tagged);
    }

    [Fact]
    public async Task ARevisionTheListingAnswersWithNullFilesFailsInOneLine()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Tags.Add("v0");
        hub.WithoutFiles.Add("v0");
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub, Model with { Revision = "v0" }));
        Assert.Equal("ModelScope lists no files for modelscope:damo/sentiment-test@v0.", failure.Message);
    }

    [Fact]
    public async Task APrivateModelSaysHowToGiveATokenAndTheTokenStaysWithTheHub()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Token = "secret-token";
        hub.Redirect = true;

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains($"ModelScope refused {Model} (HTTP 403", failure.Message);
        Assert.Contains("no permission to access this model", failure.Message);
        Assert.Contains("it may be private or gated; set MODELSCOPE_API_TOKEN", failure.Message);

        var wrong = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub, adjust: s => s with { Token = "wrong" }));
        Assert.Contains("the token in MODELSCOPE_API_TOKEN", wrong.Message);

        var folder = await DownloadAsync(hub, adjust: s => s with { Token = "secret-token" });
        AssertSameFiles(hub, folder);
        var storage = hub.Credentials.Where(c => c.Request.StartsWith("/oss/", StringComparison.Ordinal)).ToList();
        Assert.Equal(hub.Files.Count, storage.Count);
        Assert.All(storage, c => Assert.Equal(("", ""), (c.Authorization, c.Cookie)));
        Assert.Contains(hub.Credentials, c => c.Request.Contains("/repo/files") && c.Authorization == "Bearer secret-token" && c.Cookie == "m_session_id=secret-token");
    }

    [Fact]
    public async Task AnUnreachableHubWithNothingOnDiskSaysHowToPlaceTheFilesByHand()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(Settings(new Uri($"http://127.0.0.1:{port}"))));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        Assert.True(failure.HubUnreachable);
        Assert.Contains($"cannot reach http://127.0.0.1:{port}", failure.Message);
        Assert.Contains(Folder, failure.Message);
        Assert.Contains("--model FOLDER", failure.Message);
    }

    [Fact]
    public async Task AListingThatPointsOutsideTheFolderIsRefused()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Files["../../escaped.txt"] = "x"u8.ToArray();
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains("outside the model folder", failure.Message);
        Assert.False(File.Exists(Path.Combine(Cache, "modelscope", "damo", "escaped.txt")));
    }

    [Theory]
    [InlineData("models/damo/sentiment-test")]
    [InlineData("damo/sentiment-test")]
    [InlineData("models/damo--sentiment-test/snapshots/master")]
    public async Task AModelInModelScopesOwnCacheIsCheckedAndReusedNotDownloaded(string layout)
    {
        await using var hub = await FakeModelScope.StartAsync();
        var theirs = Path.Combine(TheirCache, layout);
        foreach (var (path, bytes) in hub.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(theirs, path))!);
            File.WriteAllBytes(Path.Combine(theirs, path), bytes);
        }

        var folder = await DownloadAsync(hub);

        AssertSameFiles(hub, folder);
        Assert.Equal(0, FileRequests(hub));
        Assert.Equal(hub.Files.Count, Messages(DownloadStage.Reused).Count(m => m.Contains($"reused from {theirs}")));
    }

    [Fact]
    public async Task OfflineNeverTouchesTheNetwork()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var offline = Settings(hub.Endpoint) with { Offline = true };

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(offline));
        Assert.Contains("downloads are off", failure.Message);
        Assert.Contains($"zhsenti download {Model}", failure.Message);

        var theirs = Path.Combine(TheirCache, "models", "damo", "sentiment-test");
        Directory.CreateDirectory(theirs);
        File.WriteAllText(Path.Combine(theirs, "configuration.json"), "{}");
        Assert.Equal(theirs, await DownloadAsync(offline));
        Assert.Contains(Messages(DownloadStage.Warning), m => m.Contains("ModelScope's cache") && m.Contains("revision cannot be checked"));

        Directory.Delete(theirs, recursive: true);
        var folder = await DownloadAsync(hub);
        int asked = hub.Requests.Count;
        Assert.Equal(folder, await DownloadAsync(offline));
        Assert.Equal(asked, hub.Requests.Count);
    }

    [Fact]
    public void SettingsAreReadAsModelScopeReadsThem()
    {
        Func<string, string?> Env(params (string Name, string Value)[] vars) => name => vars.FirstOrDefault(v => v.Name == name).Value;

        var plain = ModelScopeSettings.Resolve(null, "/c", offline: false, Env());
        Assert.Equal((new Uri("https://www.modelscope.cn"), (string?)null, false, "/c"), (plain.Endpoint, plain.Token, plain.Offline, plain.CacheRoot));

        var env = ModelScopeSettings.Resolve(null, "/c", offline: false, Env(("MODELSCOPE_DOMAIN", "mirror.example.cn"), ("MODELSCOPE_API_TOKEN", "t"), ("ZHSENTI_OFFLINE", "1")));
        Assert.Equal((new Uri("https://mirror.example.cn"), "t", true), (env.Endpoint, env.Token, env.Offline));
        Assert.Equal(new Uri("http://10.0.0.1:8080"), ModelScopeSettings.Resolve(null, "/c", false, Env(("MODELSCOPE_DOMAIN", "http://10.0.0.1:8080"))).Endpoint);
        // The configured endpoint wins over ModelScope's variable.
        Assert.Equal(new Uri("http://hub.local/"), ModelScopeSettings.Resolve("http://hub.local/", "/c", false, Env(("MODELSCOPE_DOMAIN", "mirror.example.cn"))).Endpoint);
        Assert.Contains("ZhSentiment:ModelScopeEndpoint", Assert.Throws<FormatException>(() => ModelScopeSettings.Resolve("ftp://x", "/c", false, Env())).Message);

        var id = new ModelScopeId("iic", "model.v2", "v1.0.1");
        Assert.Equal(
            ["/h/.cache/modelscope/models/iic--model.v2/snapshots/v1.0.1", "/h/.cache/modelscope/hub/models/iic/model___v2", "/h/.cache/modelscope/hub/iic/model___v2", "/h/.cache/modelscope/hub/iic/model.v2"],
            (plain with { Home = "/h" }).ModelScopeFolders(id));
        Assert.Equal(
            ["/m/models/iic--model.v2/snapshots/v1.0.1", "/m/models/iic/model___v2", "/m/iic/model___v2", "/m/iic/model.v2", "/m/hub/iic/model___v2", "/m/hub/iic/model.v2"],
            (plain with { ModelScopeCache = "/m" }).ModelScopeFolders(id));
    }

    [Fact]
    public void ModelsAreNamedByWhatTheUserAskedFor()
    {
        var tagged = ModelReference.ForModelScope(ModelScopeId.Parse("modelscope:iic/nlp_x@v1.0.1"), "/cache/modelscope/iic/nlp_x/v1.0.1");
        Assert.Equal(("iic/nlp_x@v1.0.1", "modelscope:iic/nlp_x@v1.0.1"), (tagged.Name, tagged.Source));
        Assert.Equal("iic/nlp_x", ModelReference.ForModelScope(ModelScopeId.Parse("modelscope:iic/nlp_x"), "/c/master").Name);
        Assert.Equal("my-bert", ModelReference.ForFolder("/models/my-bert/").Name);
        Assert.Equal("default", ModelReference.Shipped(ModelSource.DefaultFolder).Name);
    }

    [Theory]
    [InlineData("modelscope:damo/nlp_structbert_sentiment-classification_chinese-base", "damo", "nlp_structbert_sentiment-classification_chinese-base", "master")]
    [InlineData("modelscope:iic/model.v2@v1.0.1", "iic", "model.v2", "v1.0.1")]
    public void ParsesModelIds(string text, string owner, string name, string revision) =>
        Assert.Equal(new ModelScopeId(owner, name, revision), ModelScopeId.Parse(text));

    [Theory]
    [InlineData("modelscope:damo")]
    [InlineData("modelscope:damo/a/b")]
    [InlineData("modelscope:../etc")]
    [InlineData("modelscope:damo/..")]
    [InlineData("modelscope:damo/x@")]
    [InlineData("modelscope:da mo/x")]
    [InlineData("damo/x")]
    public void RefusesMalformedIds(string text) => Assert.Throws<FormatException>(() => ModelScopeId.Parse(text));
}
