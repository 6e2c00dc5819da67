using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Serving;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// Opt-in (<c>ZHSENTI_BENCH=1</c>): one client's latency through HTTP (Kestrel on loopback) for <c>/v1/sentiment</c>
/// and <c>/v1/analyze</c> with a preset, on a 106-character review, serving the shipped model or
/// <c>ZHSENTI_BENCH_MODEL</c>. Run: <c>ZHSENTI_BENCH=1 tests/ZhSentiment.Tests/bin/Release/net10.0/ZhSentiment.Tests -method "*AnalyzeLatency*" -diagnostics</c>.
/// </summary>
public class AnalyzeBenchmark
{
    private const string Review =
        "这家店的外卖我已经点了好几次了，味道一直很稳定，分量也很足。这次配送有点慢，等了将近一个小时，送到的时候汤都洒了一些，包装需要改进。" +
        "不过老板态度很好，主动给我退了配送费，下次还会再点，推荐大家试试他们家的招牌菜。";

    [Fact]
    public async Task AnalyzeLatency()
    {
        if (Environment.GetEnvironmentVariable("ZHSENTI_BENCH") != "1") Assert.Skip("set ZHSENTI_BENCH=1 to measure");
        var folder = Environment.GetEnvironmentVariable("ZHSENTI_BENCH_MODEL") is { Length: > 0 } given ? given : ModelSource.DefaultFolder;
        int requests = int.TryParse(Environment.GetEnvironmentVariable("ZHSENTI_BENCH_REQUESTS"), out var n) ? n : 1000;
        await using var service = await TestService.StartAsync(new() { ["Logging:LogLevel:Default"] = "Warning", ["RequestTimeoutSeconds"] = "600" }, kestrel: true, waitReady: false,
            load: (_, _) => Task.FromResult(ModelLoader.Load(folder, new ModelLoadOptions())));
        await Readiness.WaitAsync(service.Client, TimeSpan.FromMinutes(5));

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{folder}, {Review.Length}-character review, {requests} sequential requests each");
        foreach (var (route, body) in new[]
        {
            ("/v1/sentiment", $$"""{"text": "{{Review}}"}"""),
            ("/v1/analyze", $$"""{"text": "{{Review}}", "aspects": "外卖"}"""),
        })
        {
            var times = new double[requests];
            for (int i = -Math.Min(50, requests); i < requests; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using var response = await service.PostJsonAsync(route, body);
                await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
                Assert.True(response.IsSuccessStatusCode, $"{route}: {(int)response.StatusCode}");
                if (i >= 0) times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"{route}: p50 {times[requests / 2]:F3} ms, p90 {times[requests * 9 / 10]:F3} ms, p99 {times[requests * 99 / 100]:F3} ms");
        }
        TestContext.Current.SendDiagnosticMessage(report.ToString());
    }
}
