using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ZhSentiment.Tests.Deploy;

/// <summary>
/// Scale-out as deployed: two <c>zhsenti serve</c> processes behind Debian's nginx running
/// <c>deploy/nginx/nginx.conf.template</c>, on loopback. The load spreads over both replicas, SIGKILLing one mid-run
/// costs the clients nothing (nginx retries on the other), and the restarted replica takes traffic again.
/// </summary>
public class ScaleOutTests
{
    private const int Clients = 8;
    private static readonly string[] Texts = ["这家餐厅的菜很好吃", "服务太差了，再也不来了", "还行吧", "物流很快，包装完好", "质量一般，有点失望", "非常满意"];
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);

    private sealed record Served(DateTime At, string Replica, bool Retried);

    [Fact]
    public async Task NginxSpreadsTheLoadAndHidesAKilledReplica()
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
        if (nginx is null) Assert.Skip("nginx is not installed (.ci/run installs Debian's nginx package)");
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("zhsenti-scale-");
        var children = new List<ChildProcess>();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            int[] ports = [ChildProcess.FreeLoopbackPort(), ChildProcess.FreeLoopbackPort()];
            string Replica(int i) => $"127.0.0.1:{ports[i]}";
            async Task<ChildProcess> StartReplicaAsync(int i)
            {
                var replica = StartReplica(ports[i], Path.Combine(dir.FullName, "cache"));
                children.Add(replica);
                await replica.WaitUntilOkAsync(probe, $"http://{Replica(i)}/ready", StepTimeout);
                return replica;
            }
            // One after the other: the second finds the model the first converted in the shared cache.
            var replicas = new[] { await StartReplicaAsync(0), await StartReplicaAsync(1) };
            var expected = new Dictionary<string, string>();
            foreach (var text in Texts) expected[text] = await LabelAsync(probe, $"http://{Replica(1)}/predict", text);

            var balancer = StartNginx(nginx, dir.FullName, [Replica(0), Replica(1)], out var listen);
            children.Add(balancer);
            await balancer.WaitUntilOkAsync(probe, $"http://{listen}/health", StepTimeout);

            var served = new ConcurrentQueue<Served>();
            var failures = new ConcurrentQueue<string>();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientAsync(c, listen, expected, served, failures, stop.Token))).ToArray();
            int Count(int replica, DateTime after) => served.Count(s => s.Replica == Replica(replica) && s.At > after);

            await WaitForAsync(() => Count(0, DateTime.MinValue) >= 20 && Count(1, DateTime.MinValue) >= 20, "both replicas serving", failures);
            replicas[0].Kill();
            var killedAt = DateTime.UtcNow;
            await Task.Delay(1500, ct);
            // nginx may route to the new process from the moment it listens, before this test sees it ready.
            var restartAt = DateTime.UtcNow;
            replicas[0] = await StartReplicaAsync(0);
            var backAt = DateTime.UtcNow;
            await WaitForAsync(() => Count(0, backAt) >= 20, "the restarted replica serving again", failures);
            await stop.CancelAsync();
            await Task.WhenAll(load);

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{served.Count} requests: {Count(0, DateTime.MinValue)} by {Replica(0)} (killed and restarted), {Count(1, DateTime.MinValue)} by {Replica(1)}, " +
                $"{served.Count(s => s.Retried)} retried on the other replica, {failures.Count} failed");
            Assert.True(failures.IsEmpty, $"{failures.Count} failed requests of {served.Count + failures.Count}, e.g.:\n{string.Join('\n', failures.Take(5))}");
            var outage = served.Where(s => s.At > killedAt.AddMilliseconds(500) && s.At < restartAt).ToList();
            Assert.NotEmpty(outage);
            Assert.All(outage, s => Assert.Equal(Replica(1), s.Replica));
            // The kill was felt, not dodged: some requests reached the dead replica and were sent on.
            Assert.Contains(served, s => s.Retried);
        }
        finally
        {
            foreach (var child in Enumerable.Reverse(children)) child.Dispose();
            dir.Delete(recursive: true);
        }
    }

    private static ChildProcess StartReplica(int port, string cache)
    {
        var dotnet = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return ChildProcess.Start(File.Exists(dotnet) ? dotnet : "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "zhsenti.dll"), "serve", "--model", Path.Combine(TestPaths.Fixtures, "models", "modelscope"),
             "--urls", $"http://127.0.0.1:{port}", "--cache-dir", cache, "--threads", "1"],
            new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
    }

    private static ChildProcess StartNginx(string nginx, string prefix, string[] replicas, out string listen)
    {
        listen = $"127.0.0.1:{ChildProcess.FreeLoopbackPort()}";
        var template = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "deploy", "nginx", "nginx.conf.template"));
        var config = template.Replace("@LISTEN@", listen, StringComparison.Ordinal).Replace("@SERVERS@",
            string.Join("\n        ", replicas.Select(r => $"server {r} max_fails=1 fail_timeout=1s;")), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), config);
        Directory.CreateDirectory(Path.Combine(prefix, "logs"));
        Directory.CreateDirectory(Path.Combine(prefix, "temp"));
        // As root, nginx would hand its workers to `nobody`, who cannot enter the private temp folder.
        var globals = "daemon off;" + (Environment.UserName == "root" ? " user root;" : "");
        return ChildProcess.Start(nginx, ["-p", prefix + "/", "-c", "nginx.conf", "-e", "stderr", "-g", globals]);
    }

    private static async Task ClientAsync(int client, string listen, Dictionary<string, string> expected,
        ConcurrentQueue<Served> served, ConcurrentQueue<string> failures, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{listen}"), Timeout = TimeSpan.FromSeconds(15) };
        for (int i = client; !stop.IsCancellationRequested; i += Clients)
        {
            var text = Texts[i % Texts.Length];
            try
            {
                // Not cancelled by `stop`: a request once sent runs to its answer.
                using var response = await http.PostAsJsonAsync("/predict", new { text }, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{(int)response.StatusCode}: {body}");
                    continue;
                }
                var label = JsonDocument.Parse(body).RootElement.GetProperty("label").GetString();
                if (label != expected[text]) failures.Enqueue($"'{text}' got {label}, expected {expected[text]}");
                var upstreams = response.Headers.GetValues("X-Upstream").Single().Split(", ");
                served.Enqueue(new Served(DateTime.UtcNow, upstreams[^1], upstreams.Length > 1));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failures.Enqueue(e.Message);
            }
        }
    }

    private static async Task<string> LabelAsync(HttpClient http, string url, string text)
    {
        using var response = await http.PostAsJsonAsync(url, new { text }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return JsonDocument.Parse(body).RootElement.GetProperty("label").GetString()!;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, ConcurrentQueue<string> failures)
    {
        var deadline = DateTime.UtcNow + StepTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}; failures so far: {string.Join('\n', failures.Take(5))}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
