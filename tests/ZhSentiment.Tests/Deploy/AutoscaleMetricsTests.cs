using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ZhSentiment.Tests.Deploy;

/// <summary>
/// The gauges the autoscalers of deploy/kubernetes/overlays (prometheus-adapter, keda) scale on, read from
/// <c>/metrics</c> of a real <c>zhsenti serve</c> process on loopback: they rise under load and fall back to zero when
/// the load stops, which is what lets an autoscaler scale down again.
/// </summary>
public partial class AutoscaleMetricsTests
{
    private const int Clients = 8;
    private const string RecentWait = "zhsenti_queue_wait_recent_seconds";
    private const string InFlight = "zhsenti_windows_in_flight";

    [Fact]
    public async Task QueueWaitAndWindowsInFlightRiseUnderLoadAndReturnToZeroWhenIdle()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("zhsenti-autoscale-");
        int port = ChildProcess.FreeLoopbackPort();
        var dotnet = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        using var service = ChildProcess.Start(File.Exists(dotnet) ? dotnet : "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "zhsenti.dll"), "serve", "--model", Path.Combine(TestPaths.Fixtures, "models", "modelscope"),
             "--urls", $"http://127.0.0.1:{port}", "--cache-dir", dir.FullName, "--threads", "1"],
            new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await service.WaitUntilOkAsync(http, $"http://127.0.0.1:{port}/ready", TimeSpan.FromSeconds(30));

            // Each client keeps a batch of 32 reviews queued: 8 × 32 windows against batches of 8.
            var texts = Enumerable.Range(0, 32).Select(i => $"第{i}条：这家店的服务态度真是太好了，菜也好吃，下次还来。物流很快，包装完好。").ToArray();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                    (await http.PostAsJsonAsync("/predict_batch", new { texts }, CancellationToken.None)).EnsureSuccessStatusCode();
            }, CancellationToken.None)).ToArray();
            double peakWait = 0, peakInFlight = 0;
            for (var until = DateTime.UtcNow.AddSeconds(3); DateTime.UtcNow < until;)
            {
                var metrics = await ReadAsync(http);
                peakWait = Math.Max(peakWait, metrics[RecentWait]);
                peakInFlight = Math.Max(peakInFlight, metrics[InFlight]);
                await Task.Delay(100, ct);
            }
            await stop.CancelAsync();
            await Task.WhenAll(load);
            var stoppedAt = DateTime.UtcNow;
            var afterLoad = await ReadAsync(http);

            // Windows in flight drop to zero as soon as the last batch is answered; the mean wait once the window
            // of recent batches (10 s) has passed with none.
            double idleAfter = -1;
            while (DateTime.UtcNow < stoppedAt.AddSeconds(20))
            {
                var metrics = await ReadAsync(http);
                if (metrics[RecentWait] == 0 && metrics[InFlight] == 0)
                {
                    idleAfter = (DateTime.UtcNow - stoppedAt).TotalSeconds;
                    break;
                }
                await Task.Delay(250, ct);
            }
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"under load: peak {RecentWait} {peakWait * 1000:F1} ms, peak {InFlight} {peakInFlight}; just after: {afterLoad[RecentWait] * 1000:F1} ms, {afterLoad[InFlight]}; both 0 after {idleAfter:F1} s idle");

            Assert.True(peakInFlight > Clients, $"peak windows in flight {peakInFlight}: the load should keep more than one batch queued");
            Assert.True(peakWait > 0.001, $"peak mean queue wait {peakWait} s under load");
            Assert.Equal(0, afterLoad[InFlight]);
            Assert.True(afterLoad[RecentWait] > 0, "the mean wait covers the last seconds, not only this instant");
            Assert.InRange(idleAfter, 5, 13);
        }
        finally
        {
            service.Dispose();
            dir.Delete(recursive: true);
        }
    }

    private static async Task<Dictionary<string, double>> ReadAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        return Sample().Matches(text).ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(zhsenti_queue_wait_recent_seconds|zhsenti_windows_in_flight)\{model=""[^""]*""\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
