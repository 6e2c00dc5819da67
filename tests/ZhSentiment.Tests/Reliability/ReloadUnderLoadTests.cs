using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// <c>zhsenti serve</c> as a process with two models, one of them replaced over and over through
/// <c>POST /v1/models/{name}/reload</c> while clients send the seed routes and <c>/v1/*</c> to both: no request fails,
/// every answer is wholly one instance's, and the memory of the replaced instances goes back. SIGHUP reloads both.
/// </summary>
[Collection(nameof(Alone))]
public sealed class ReloadUnderLoadTests : IDisposable
{
    private const string AdminKey = "reload-admin";
    private const int Clients = 4, Reloads = 10;
    private static readonly string[] Texts = ["这家店的服务态度真是太好了", "质量太差了，再也不买了", "一般般吧，没什么特别的，物流倒是挺快的，包装也还可以", "好"];

    private readonly string _cache = Directory.CreateTempSubdirectory("zhsenti-reload-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static string Fixture(string name) => Path.Combine(TestPaths.Fixtures, "models", name);

    [Fact]
    public async Task Reloads_under_load_lose_no_request_and_give_their_memory_back()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = ServeProcess.Start("--model", "default", "--model", $"bert={Fixture("modelscope")}", "--admin-key", AdminKey,
            "--urls", "http://127.0.0.1:0", "--cache-dir", _cache, "--threads", "2");
        var address = await serve.ListeningAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        await Readiness.WaitAsync(http, TimeSpan.FromSeconds(90));

        // What each instance answers, so that an answer shows which one gave it, and that it gave it whole.
        string[] sources = [Fixture("modelscope"), Fixture("hf-bin")];
        var expected = new List<float[]>();
        foreach (var source in sources.Reverse().Concat(sources))
        {
            await ReloadAsync(http, source);
            if (expected.Count < 2) expected.Add(await ScoresAsync(http));
        }
        var fallback = await (await http.PostAsJsonAsync("/predict", new { text = Texts[0] }, ct)).Content.ReadFromJsonAsync<JsonElement>(ct);

        var failures = new List<string>();
        int answered = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (int i = c; !stop.IsCancellationRequested; i++)
            {
                string problem;
                try
                {
                    problem = await OneRequestAsync(http, i % 5, expected, fallback);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    problem = $"request failed: {e.Message}";
                }
                Interlocked.Increment(ref answered);
                if (problem.Length > 0) lock (failures) failures.Add(problem);
            }
        }, CancellationToken.None)).ToArray();

        var clock = Stopwatch.StartNew();
        for (int r = 0; r < Reloads; r++) await ReloadAsync(http, sources[r % 2]);
        var reloading = clock.Elapsed;
        await Task.Delay(500, ct);
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.True(failures.Count == 0, $"{failures.Count} of {answered} requests went wrong, e.g.\n{string.Join("\n", failures.Take(10))}");
        Assert.True(answered > 100, $"only {answered} requests during {Reloads} reloads");

        // Memory: after one reload against after ten, once the replaced instances have been freed.
        long afterOne = await ReloadAndMeasureAsync(http, serve.Id, [sources[0]]);
        long afterTen = await ReloadAndMeasureAsync(http, serve.Id, [.. Enumerable.Range(1, 9).Select(r => sources[r % 2])]);
        var figures = $"{answered} requests by {Clients} clients during {Reloads} reloads in {reloading.TotalSeconds:F1} s, none failed; " +
                      $"RSS after one reload {afterOne / 1024.0:F1} MiB, after ten {afterTen / 1024.0:F1} MiB ({100.0 * (afterTen - afterOne) / afterOne:+0.0;-0.0} %)";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        Console.WriteLine(figures);
        Assert.True(afterTen <= afterOne * 1.10, figures);

        // SIGHUP reloads every model from its source, and the service goes on. A process started under nohup inherits
        // SIGHUP ignored, and .NET leaves an inherited ignore in place: the child would never see it.
        if (SighupIgnoredHere()) Assert.Skip("SIGHUP is ignored in this process (started under nohup?), so the child serve inherits that; the reload checks above passed");
        using (var hup = Process.Start("kill", ["-HUP", serve.Id.ToString(CultureInfo.InvariantCulture)])) await hup.WaitForExitAsync(ct);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(serve.StandardOutput.Contains("Model default reloaded", StringComparison.Ordinal) && serve.StandardOutput.Split("Model bert reloaded").Length > 2 * Reloads + 5))
        {
            Assert.True(DateTime.UtcNow < deadline, $"SIGHUP reloaded nothing:\n{serve.StandardOutput}");
            await Task.Delay(100, ct);
        }
        Assert.Equal("", await OneRequestAsync(http, 0, expected, fallback));
        serve.Terminate();
        Assert.Equal(0, await serve.ExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Whether this process ignores SIGHUP (bit 0 of SigIgn in /proc/self/status), as its children then do.</summary>
    private static bool SighupIgnoredHere()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 1) != 0;
    }

    /// <summary>One request of a route chosen by <paramref name="route"/>; what is wrong with its answer, or "".</summary>
    private static async Task<string> OneRequestAsync(HttpClient http, int route, List<float[]> expected, JsonElement fallback)
    {
        var (path, body) = route switch
        {
            0 => ("/v1/sentiment", (object)new { texts = Texts, model = "bert" }),
            1 => ("/predict_batch?model=bert", new { texts = Texts }),
            2 => ("/v1/analyze", new { text = Texts[2], model = "bert", aspects = "电商" }),
            3 => ("/predict", new { text = Texts[0] }),
            _ => ("/v1/sentiment", new { text = Texts[1] }),
        };
        using var response = await http.PostAsJsonAsync(path, body, CancellationToken.None);
        var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
        if (response.StatusCode != HttpStatusCode.OK) return $"{path}: {(int)response.StatusCode} {text}";
        var json = JsonDocument.Parse(text).RootElement;
        if (route == 0)
        {
            var scores = json.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("probabilities")[1].GetProperty("score").GetSingle()).ToArray();
            if (!expected.Any(e => e.Zip(scores).All(p => Math.Abs(p.First - p.Second) < 1e-4)))
                return $"{path}: scores {string.Join(", ", scores)} are no instance's whole answer ({string.Join(" or ", expected.Select(e => string.Join(", ", e)))})";
        }
        if (route == 3 && Math.Abs(json.GetProperty("score").GetSingle() - fallback.GetProperty("score").GetSingle()) > 1e-4)
            return $"{path}: the default model's answer changed: {text}";
        return "";
    }

    private static async Task<float[]> ScoresAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync("/v1/sentiment", new { texts = Texts, model = "bert" }, CancellationToken.None);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
        return [.. json.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("probabilities")[1].GetProperty("score").GetSingle())];
    }

    private static async Task ReloadAsync(HttpClient http, string source)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/bert/reload") { Content = JsonContent.Create(new { source }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await http.SendAsync(request, CancellationToken.None);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"reload from {source}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
    }

    /// <summary>Reloads from each source in turn, then gives the freed instances a moment and reads the resident set, in KiB.</summary>
    private static async Task<long> ReloadAndMeasureAsync(HttpClient http, int pid, string[] sources)
    {
        foreach (var source in sources) await ReloadAsync(http, source);
        await Task.Delay(2000, TestContext.Current.CancellationToken);
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
