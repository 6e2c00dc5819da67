using ZhSentiment.Tests.Serving;

namespace ZhSentiment.Tests.Cli;

/// <summary>
/// <c>modelscope:</c> models through the real executable: every verb resolves them the same way, reading the hub
/// from configuration or <c>MODELSCOPE_DOMAIN</c>, and <c>download</c> fills the cache that <c>--offline</c> runs use.
/// </summary>
public sealed class DownloadCliTests : IDisposable
{
    private const string Id = $"modelscope:{FakeModelScope.Owner}/{FakeModelScope.Name}";
    private readonly string _temp = Directory.CreateTempSubdirectory("zhsenti-download-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Cache => Path.Combine(_temp, "cache");

    /// <summary>A hub that serves the small BERT fixture, so that what it sends can be loaded.</summary>
    private static async Task<FakeModelScope> HubAsync()
    {
        var hub = await FakeModelScope.StartAsync();
        hub.Files.Clear();
        var fixture = Path.Combine(TestPaths.Fixtures, "models", "modelscope");
        foreach (var file in Directory.EnumerateFiles(fixture).Where(f => Path.GetFileName(f) != "expected.json"))
            hub.Files[Path.GetFileName(file)] = File.ReadAllBytes(file);
        return hub;
    }

    [Fact]
    public async Task Download_prints_the_folder_and_offline_verbs_then_use_it_without_the_hub()
    {
        await using var hub = await HubAsync();
        var run = await Zhsenti.RunAsync("", new Dictionary<string, string> { ["MODELSCOPE_DOMAIN"] = hub.Endpoint.ToString() }, ["download", Id, "--cache-dir", Cache]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var folder = Path.Combine(Cache, "modelscope", FakeModelScope.Owner, FakeModelScope.Name, "master");
        Assert.Equal(folder, run.Stdout.Trim());
        // Not a terminal: one line per file.
        Assert.Equal(hub.Files.Count, run.Stderr.Split('\n').Count(l => l.StartsWith($"zhsenti download: Downloading {FakeModelScope.Owner}/{FakeModelScope.Name}/", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(folder, "pytorch_model.bin")));

        int asked = hub.Requests.Count;
        var predict = await Zhsenti.RunAsync("", new Dictionary<string, string> { ["ZHSENTI_OFFLINE"] = "1" }, ["predict", "--model", Id, "--cache-dir", Cache, "服务很好"]);
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        Assert.Equal(asked, hub.Requests.Count);
    }

    [Fact]
    public async Task Score_downloads_a_ModelScope_model_from_the_configured_endpoint()
    {
        await using var hub = await HubAsync();
        var input = Path.Combine(_temp, "in.csv");
        File.WriteAllText(input, "text\n服务很好\n太差了\n");
        var output = Path.Combine(_temp, "out.csv");

        var run = await Zhsenti.RunAsync("", new Dictionary<string, string> { ["ZhSentiment__ModelScopeEndpoint"] = hub.Endpoint.ToString(), ["MODELSCOPE_DOMAIN"] = "unused.invalid" },
            ["score", "--model", Id, "-i", input, "-o", output, "--cache-dir", Cache, "--threads", "1"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(3, File.ReadAllLines(output).Length);
        Assert.Contains(hub.Requests, r => r.Contains("FilePath=pytorch_model.bin"));
    }

    [Fact]
    public async Task An_offline_run_without_the_model_fails_in_one_line_saying_how_to_get_it()
    {
        var run = await Zhsenti.RunAsync("", ["download", Id, "--offline", "--cache-dir", Cache]);
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("zhsenti download: ", line, StringComparison.Ordinal);
        Assert.Contains($"run `zhsenti download {Id}` where there is network", line, StringComparison.Ordinal);
    }
}
