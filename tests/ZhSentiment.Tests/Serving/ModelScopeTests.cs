using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ZhSentiment.Models;

namespace ZhSentiment.Tests.Serving;

public sealed class ModelScopeTests : IDisposable
{
    private static readonly ModelScopeId Model = new(FakeModelScope.Owner, FakeModelScope.Name, "master");
    private readonly string _cache = Directory.CreateTempSubdirectory("zhsenti-modelscope-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    private Task<string> DownloadAsync(FakeModelScope hub, ModelScopeId? id = null) =>
        new ModelScopeClient(_http, hub.Endpoint).DownloadAsync(id ?? Model, _cache, cancellationToken: TestContext.Current.CancellationToken);

    private static void AssertSameFiles(FakeModelScope hub, string folder)
    {
        var found = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order();
        Assert.Equal(hub.Files.Keys.Order(), found);
        foreach (var (path, bytes) in hub.Files) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(folder, path)));
    }

    [Fact]
    public async Task DownloadsEveryFileAndThenServesFromTheCache()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var folder = await DownloadAsync(hub);

        Assert.Equal(Path.Combine(_cache, "modelscope", "damo", "sentiment-test", "master"), folder);
        AssertSameFiles(hub, folder);
        Assert.False(Directory.Exists(folder + ".partial"));
        Assert.Contains("/api/v1/models/damo/sentiment-test/repo/files?Revision=master&Recursive=true", hub.Requests);
        Assert.Contains("/api/v1/models/damo/sentiment-test/repo?Revision=master&FilePath=resources%2Fnotes.txt", hub.Requests);

        var asked = hub.Requests.Count;
        await hub.DisposeAsync();
        Assert.Equal(folder, await DownloadAsync(hub));
        Assert.Equal(asked, hub.Requests.Count);
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
    }

    [Fact]
    public async Task ADownloadThatKeepsFailingResumesOnTheNextRun()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.CutOff["weights.bin"] = (3, 50_000);

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains("FilePath=weights.bin", failure.Message);
        Assert.Contains("run again to resume", failure.Message);
        var folder = ModelScopeClient.CacheFolder(Model, _cache);
        Assert.False(Directory.Exists(folder));
        var part = new FileInfo(Path.Combine(folder + ".partial", "weights.bin.part"));
        Assert.True(part.Length > 0);

        AssertSameFiles(hub, await DownloadAsync(hub));
        Assert.EndsWith($"Range: bytes={part.Length}-", hub.Requests.Last(r => r.Contains("FilePath=weights.bin")));
        Assert.Single(hub.Requests, r => r.Contains("FilePath=config.json"));
    }

    [Fact]
    public async Task AFileOfTheWrongSizeIsRefusedAndRemoved()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.ListedSizes["vocab.txt"] = 1000;

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains($"sent {hub.Files["vocab.txt"].Length} bytes but the listing says 1,000", failure.Message);
        var folder = ModelScopeClient.CacheFolder(Model, _cache);
        Assert.False(Directory.Exists(folder));
        Assert.False(File.Exists(Path.Combine(folder + ".partial", "vocab.txt.part")));
        Assert.False(File.Exists(Path.Combine(folder + ".partial", "vocab.txt")));
    }

    [Fact]
    public async Task AFileWithTheWrongHashIsRefusedAndRemoved()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.ListedSha256["config.json"] = new string('0', 64);

        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains("FilePath=config.json", failure.Message);
        Assert.Contains("SHA-256 differs", failure.Message);
        var partial = ModelScopeClient.CacheFolder(Model, _cache) + ".partial";
        Assert.False(File.Exists(Path.Combine(partial, "config.json.part")));
        Assert.False(File.Exists(Path.Combine(partial, "config.json")));
    }

    [Fact]
    public async Task AnUnknownModelNamesTheModelAndTheUrl()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub, new ModelScopeId("nobody", "nothing", "v2")));
        Assert.Contains("ModelScope has no model modelscope:nobody/nothing@v2", failure.Message);
        Assert.Contains("/api/v1/models/nobody/nothing/repo/files?Revision=v2", failure.Message);
    }

    [Fact]
    public async Task AnUnreachableHubFailsFastAndSaysHowToPlaceTheFilesByHand()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() =>
            new ModelScopeClient(_http, new Uri($"http://127.0.0.1:{port}")).DownloadAsync(Model, _cache, cancellationToken: TestContext.Current.CancellationToken));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        Assert.Contains($"Cannot reach http://127.0.0.1:{port}/api/v1/models/damo/sentiment-test/repo/files", failure.Message);
        Assert.Contains(ModelScopeClient.CacheFolder(Model, _cache), failure.Message);
        Assert.Contains("--model FOLDER", failure.Message);
    }

    [Fact]
    public async Task AListingThatPointsOutsideTheFolderIsRefused()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Files["../../escaped.txt"] = "x"u8.ToArray();
        var failure = await Assert.ThrowsAsync<ModelScopeException>(() => DownloadAsync(hub));
        Assert.Contains("outside the model folder", failure.Message);
        Assert.False(File.Exists(Path.Combine(_cache, "modelscope", "damo", "escaped.txt")));
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
