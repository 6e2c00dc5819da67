using System.Net.Http.Json;
using System.Text.Json;

namespace ZhSentiment.Tests.Deploy;

/// <summary>
/// The Native AOT release (<c>tools/release/publish.sh</c>, which .ci/run runs first) ships only linux-x64's natives and
/// serves PyTorch's answers: trimming or ahead-of-time compilation must not have dropped anything the service uses.
/// </summary>
public class ReleaseArtifactTests
{
    [Fact]
    public async Task TheNativeBinaryServesPyTorchsProbabilities()
    {
        var release = Path.Combine(TestPaths.RepoRoot, "artifacts", "zhsenti-linux-x64");
        var binary = Path.Combine(release, "zhsenti");
        if (!File.Exists(binary)) Assert.Skip("no release build here: tools/release/publish.sh makes artifacts/zhsenti-linux-x64");
        Assert.Equal(["libonnxruntime.so", "libonnxruntime_providers_shared.so"], Directory.GetFiles(release, "*.so*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(release, "zhsenti.dll")), "the release is native, not IL");

        var model = Path.Combine(TestPaths.Fixtures, "models", "modelscope");
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "expected.json")));
        var maxLength = expected.RootElement.GetProperty("max_length").GetInt32();
        var cases = expected.RootElement.GetProperty("texts").EnumerateArray()
            .Where(t => t.GetProperty("full_length").GetInt32() <= maxLength && !string.IsNullOrWhiteSpace(t.GetProperty("text").GetString()))
            .Select(t => (Text: t.GetProperty("text").GetString()!, Logits: t.GetProperty("logits").EnumerateArray().Select(l => l.GetDouble()).ToArray()))
            .ToArray();
        Assert.NotEmpty(cases);

        var dir = Directory.CreateTempSubdirectory("zhsenti-release-");
        var port = ChildProcess.FreeLoopbackPort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var service = ChildProcess.Start(binary, ["serve", "--model", model, "--urls", $"http://127.0.0.1:{port}", "--cache-dir", dir.FullName]);
            await service.WaitUntilOkAsync(http, "/ready", TimeSpan.FromSeconds(30));

            using var response = await http.PostAsJsonAsync("/v1/sentiment", new { texts = cases.Select(c => c.Text).ToArray() }, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, body);
            var results = JsonDocument.Parse(body).RootElement.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal(cases.Length, results.Length);
            for (int i = 0; i < cases.Length; i++)
            {
                var exp = cases[i].Logits.Select(Math.Exp).ToArray();
                var probabilities = results[i].GetProperty("probabilities").EnumerateArray().Select(p => p.GetProperty("score").GetDouble()).ToArray();
                Assert.Equal(exp.Length, probabilities.Length);
                for (int k = 0; k < exp.Length; k++) Assert.Equal(exp[k] / exp.Sum(), probabilities[k], 1e-4);
            }

            using var healthy = ChildProcess.Start(binary, ["health", "--url", $"{http.BaseAddress}health"]);
            await healthy.Process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, healthy.Process.ExitCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheNativeBinaryServesTheDefaultModelBesideIt()
    {
        var release = Path.Combine(TestPaths.RepoRoot, "artifacts", "zhsenti-linux-x64");
        if (!File.Exists(Path.Combine(release, "zhsenti"))) Assert.Skip("no release build here: tools/release/publish.sh makes artifacts/zhsenti-linux-x64");
        var shipped = Path.Combine(TestPaths.RepoRoot, "models", "default");
        foreach (var file in Directory.GetFiles(shipped))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(release, "models", "default", Path.GetFileName(file))));

        var dir = Directory.CreateTempSubdirectory("zhsenti-release-");
        var port = ChildProcess.FreeLoopbackPort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var service = ChildProcess.Start(Path.Combine(release, "zhsenti"), ["serve", "--urls", $"http://127.0.0.1:{port}", "--cache-dir", dir.FullName]);
            await service.WaitUntilOkAsync(http, "/ready", TimeSpan.FromSeconds(30));
            using var info = JsonDocument.Parse(await http.GetStringAsync("/info", TestContext.Current.CancellationToken));
            Assert.Equal(Path.Combine(release, "models", "default"), info.RootElement.GetProperty("source").GetString());

            using var response = await http.PostAsJsonAsync("/predict", new { text = "这家店的服务态度真是太好了" }, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
