using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using ZhSentiment.Client;
using ZhSentiment.Tests.Cli;
using ZhSentiment.Tests.Reliability;
using ZhSentiment.Tests.Serving;

namespace ZhSentiment.Tests.Packaging;

/// <summary>
/// Issue 27: the packages a .NET developer takes. Packed and restored once (<see cref="PackedSample"/>); the sample's
/// in-process answers are <c>zhsenti predict</c>'s, and its client talks to a real <c>zhsenti serve</c>.
/// </summary>
public sealed class PackageTests(PackedSample packed) : IClassFixture<PackedSample>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly string[] Texts = ["这家店的服务态度真是太好了", "物流太慢了，包装也压坏了", "价格有点贵，但是质量真的很好", "还行吧，一般般"];

    [Fact]
    public void TheCorePackageCarriesTheEngineTheShippedModelAndItsMetadata()
    {
        using var package = ZipFile.OpenRead(Path.Combine(packed.Feed, $"ZhSentiment.Core.{packed.Version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var file in new[] { "config.json", "model.onnx", "model.onnx.data", "emotion_lexicon.bin" })
            Assert.Equal(new FileInfo(Path.Combine(TestPaths.RepoRoot, "models", "default", file)).Length, package.GetEntry($"models/default/{file}")!.Length);
        Assert.Subset(entries, new HashSet<string>
        {
            "lib/net10.0/ZhSentiment.Core.dll", "lib/net10.0/ZhSentiment.Core.xml", "README.md",
            "buildTransitive/ZhSentiment.Core.targets", "aspects/ecommerce.tsv",
        });

        var nuspec = Nuspec(package);
        Assert.Equal("ZhSentiment.Core", Element(nuspec, "id"));
        Assert.Equal("MIT", Element(nuspec, "license"));
        Assert.Equal("README.md", Element(nuspec, "readme"));
        Assert.False(string.IsNullOrWhiteSpace(Element(nuspec, "description")));
        var dependencies = Dependencies(nuspec);
        Assert.Contains("Microsoft.ML.OnnxRuntime", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(packed.Feed, $"ZhSentiment.Core.{packed.Version}.snupkg")));
    }

    [Fact]
    public void TheClientPackageDependsOnNothingAndDocumentsItself()
    {
        using var package = ZipFile.OpenRead(Path.Combine(packed.Feed, $"ZhSentiment.Client.{packed.Version}.nupkg"));
        Assert.Subset(package.Entries.Select(e => e.FullName).ToHashSet(),
            new HashSet<string> { "lib/net10.0/ZhSentiment.Client.dll", "lib/net10.0/ZhSentiment.Client.xml", "README.md" });
        var nuspec = Nuspec(package);
        Assert.Equal("ZhSentiment.Client", Element(nuspec, "id"));
        Assert.Equal(packed.Version, Element(nuspec, "version"));
        Assert.Empty(Dependencies(nuspec));
        Assert.True(File.Exists(Path.Combine(packed.Feed, $"ZhSentiment.Client.{packed.Version}.snupkg")));
    }

    [Fact]
    public void OnlyTheTwoLibrariesArePacked()
    {
        Assert.Equal(
            ["ZhSentiment.Client", "ZhSentiment.Client", "ZhSentiment.Core", "ZhSentiment.Core"],
            Directory.GetFiles(packed.Feed).Select(f => Path.GetFileName(f).Split('.')[0] + "." + Path.GetFileName(f).Split('.')[1]).Order());
        foreach (var project in Directory.GetFiles(TestPaths.RepoRoot, "*.csproj", SearchOption.AllDirectories)
                     .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}samples{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            bool packable = File.ReadAllText(project).Contains("<IsPackable>true</IsPackable>", StringComparison.Ordinal);
            Assert.True(packable == Path.GetFileNameWithoutExtension(project) is "ZhSentiment.Core" or "ZhSentiment.Client", project);
        }
    }

    [Fact]
    public async Task TheSamplesInProcessAnswersAreZhsentiPredicts()
    {
        packed.Require();
        var (code, output) = await packed.RunSampleAsync(Texts);
        Assert.True(code == 0, output);
        var sample = Lines(output).Where(l => l.GetProperty("source").GetString() == "analyzer").ToArray();

        var predict = await Zhsenti.RunAsync(null, ["predict", "--json", .. Texts]);
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        var expected = Lines(predict.Stdout).ToArray();

        Assert.Equal(Texts.Length, sample.Length);
        Assert.Equal(Texts.Length, expected.Length);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i].GetProperty("text").GetString(), sample[i].GetProperty("text").GetString());
            Assert.Equal(expected[i].GetProperty("label").GetString(), sample[i].GetProperty("label").GetString());
            Assert.Equal(expected[i].GetProperty("score").GetSingle(), sample[i].GetProperty("score").GetSingle());
            Assert.Equal(expected[i].GetProperty("labels").GetRawText(), sample[i].GetProperty("labels").GetRawText());
            Assert.Equal(expected[i].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()),
                sample[i].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()));
        }
    }

    [Fact]
    public async Task TheSamplesClientGetsTheServicesAnswersWithTheApiKeyAndReports401Without()
    {
        packed.Require();
        using var serve = ServeProcess.Start("--port", "0", "--api-key", "sample-key");
        var address = await serve.ListeningAsync(Limit);
        await WaitReadyAsync(address);

        var (code, output) = await packed.RunSampleAsync(["--url", address.ToString(), "--api-key", "sample-key", .. Texts]);
        Assert.True(code == 0, output + serve.StandardOutput);
        var lines = Lines(output).ToArray();
        var local = lines.Where(l => l.GetProperty("source").GetString() == "analyzer").ToArray();
        var remote = lines.Where(l => l.GetProperty("source").GetString() == "client").ToArray();
        Assert.Equal(Texts.Length, remote.Length);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal("default", remote[i].GetProperty("model").GetString());
            foreach (var property in new[] { "label", "sentiment" })
                Assert.Equal(local[i].GetProperty(property).GetString(), remote[i].GetProperty(property).GetString());
            foreach (var property in new[] { "score", "sentiment_score" })
                Assert.Equal(local[i].GetProperty(property).GetSingle(), remote[i].GetProperty(property).GetSingle());
        }

        (code, output) = await packed.RunSampleAsync(["--url", address.ToString(), .. Texts]);
        Assert.Equal(3, code);
        var refused = Lines(output).Single(l => l.GetProperty("source").GetString() == "client");
        Assert.Equal(401, refused.GetProperty("status").GetInt32());
        Assert.Contains("Bearer", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheClientCoversEveryRouteOfARealServiceAndItsRefusals()
    {
        using var serve = ServeProcess.Start("--port", "0", "--api-key", "k", "--max-body-bytes", "300");
        var address = await serve.ListeningAsync(Limit);
        await WaitReadyAsync(address);
        using var http = new HttpClient { BaseAddress = address, Timeout = Limit };
        var client = new ZhSentimentClient(http, new ZhSentimentClientOptions { ApiKey = "k" });

        Assert.Equal("ok", (await client.HealthAsync()).Status);
        Assert.True(await client.ReadyAsync());
        var info = await client.InfoAsync();
        Assert.Equal("default", info.Name);
        Assert.Contains("emotion", info.Tasks);
        var one = await client.PredictAsync(Texts[0]);
        var batch = await client.PredictBatchAsync(Texts[..2]);
        Assert.Equal(one, batch[0]);
        Assert.Equal("Positive", one.Label);
        var sentiment = await client.SentimentAsync(Texts[1]);
        Assert.Equal("Negative", sentiment.Label);
        Assert.Equal(info.ModelLabels.Take(sentiment.Probabilities.Count), sentiment.Probabilities.Select(p => p.Label));
        var emotion = await client.EmotionAsync(Texts[1]);
        Assert.Equal(info.Emotions, emotion.Emotions.Select(e => e.Label));
        var analysis = await client.AnalyzeAsync(Texts[2], aspectPreset: "ecommerce");
        Assert.NotEmpty(analysis.Sentences);
        Assert.NotEmpty(analysis.Aspects);
        var custom = await client.AnalyzeAsync([Texts[1]], [new AspectRequest("物流", ["快递"])]);
        Assert.True(custom.Results[0].Aspects.Single().Mentioned);
        Assert.NotEmpty((await client.TokenizeAsync("好")).Ids);

        var noKey = new ZhSentimentClient(http);
        var unauthorized = await Assert.ThrowsAsync<ZhSentimentException>(() => noKey.PredictAsync(Texts[0]));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Contains("Bearer", unauthorized.Detail);

        var tooLarge = await Assert.ThrowsAsync<ZhSentimentException>(() => client.PredictAsync(new string('好', 400)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("300 bytes", tooLarge.Detail);

        var bad = await Assert.ThrowsAsync<ZhSentimentException>(() => client.PredictAsync(" "));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task TheClientWaitsOutRetryAfterWhileTheModelLoadsThenReportsThe503()
    {
        await using var hub = await FakeModelScope.StartAsync();
        hub.Stall["weights.bin"] = (1, 1000); // the download, and so the model's load, hangs until the service is stopped
        var cache = Directory.CreateTempSubdirectory("zhsenti-pack-cache-").FullName;
        try
        {
            using var serve = ServeProcess.Start("--port", "0", "--model", $"modelscope:{FakeModelScope.Owner}/{FakeModelScope.Name}",
                "--cache-dir", cache, $"--ZhSentiment:ModelScopeEndpoint={hub.Endpoint}");
            var address = await serve.ListeningAsync(Limit);
            var counter = new CountingHandler { InnerHandler = new HttpClientHandler() };
            using var http = new HttpClient(counter) { BaseAddress = address, Timeout = Limit };

            Assert.False(await new ZhSentimentClient(http).ReadyAsync());
            counter.Requests = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var client = new ZhSentimentClient(http, new ZhSentimentClientOptions { MaxRetries = 1 });
            var loading = await Assert.ThrowsAsync<ZhSentimentException>(() => client.PredictAsync(Texts[0]));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
            Assert.Contains("loading", loading.Detail);
            Assert.Equal(TimeSpan.FromSeconds(5), loading.RetryAfter);
            Assert.Equal(2, counter.Requests);
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(4.9), clock.Elapsed.ToString());

            // A wait longer than the client accepts is not waited out.
            counter.Requests = 0;
            var impatient = new ZhSentimentClient(http, new ZhSentimentClientOptions { MaxRetries = 3, MaxRetryDelay = TimeSpan.FromSeconds(1) });
            await Assert.ThrowsAsync<ZhSentimentException>(() => impatient.InfoAsync());
            Assert.Equal(1, counter.Requests);
        }
        finally
        {
            try { Directory.Delete(cache, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task WaitReadyAsync(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        var client = new ZhSentimentClient(http);
        var deadline = DateTime.UtcNow + Limit;
        while (!await client.ReadyAsync())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("zhsenti serve did not become ready");
            await Task.Delay(100);
        }
    }

    private static IEnumerable<JsonElement> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonDocument.Parse(l).RootElement);

    private static XElement Nuspec(ZipArchive package)
    {
        using var stream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream).Root!;
    }

    private static string? Element(XElement nuspec, string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string[] Dependencies(XElement nuspec) =>
        [.. nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value)];

    private sealed class CountingHandler : DelegatingHandler
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
