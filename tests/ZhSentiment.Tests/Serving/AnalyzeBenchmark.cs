using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Serving;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// Opt-in (<c>ZHSENTI_BENCH=1</c>): one client's latency through HTTP (Kestrel on loopback) for <c>/v1/sentiment</c>
/// and <c>/v1/analyze</c> with a preset, on a 106-character review and a 300-character one, serving the shipped model
/// or <c>ZHSENTI_BENCH_MODEL</c> (quantized with <c>ZHSENTI_BENCH_QUANTIZE=int8</c>). Run: <c>ZHSENTI_BENCH=1 tests/ZhSentiment.Tests/bin/Release/net10.0/ZhSentiment.Tests -method "*AnalyzeLatency*" -diagnostics</c>.
/// </summary>
public class AnalyzeBenchmark
{
    private const string Review =
        "这家店的外卖我已经点了好几次了，味道一直很稳定，分量也很足。这次配送有点慢，等了将近一个小时，送到的时候汤都洒了一些，包装需要改进。" +
        "不过老板态度很好，主动给我退了配送费，下次还会再点，推荐大家试试他们家的招牌菜。";

    private const string LongReview =
        "周末和朋友去了这家开在商场四楼的川菜馆，晚上六点到的时候已经要排队，拿号等了差不多四十分钟，门口有免费的茶水和瓜子，服务员会不时出来告诉大家大概还要等多久。" +
        "进去以后环境比想象中好，装修是老成都的风格，灯光偏暗但很有氛围，就是桌子之间离得有点近，旁边一桌说话声音很大。点了水煮鱼、回锅肉、麻婆豆腐和一份冰粉，水煮鱼的鱼片很嫩，" +
        "辣度刚好，回锅肉有点咸，麻婆豆腐倒是很下饭。上菜速度挺快，服务员态度也不错，帮我们换了两次骨碟。人均一百左右，性价比还可以，团购的套餐更划算。" +
        "唯一不满意的是洗手间有点远，要走到商场另一头，而且结账的时候排了好几分钟。总体来说味道在线，环境也不错，适合朋友聚餐，下次还会带家人再来试试别的菜。";

    [Fact]
    public async Task AnalyzeLatency()
    {
        if (Environment.GetEnvironmentVariable("ZHSENTI_BENCH") != "1") Assert.Skip("set ZHSENTI_BENCH=1 to measure");
        var folder = Environment.GetEnvironmentVariable("ZHSENTI_BENCH_MODEL") is { Length: > 0 } given ? given : ModelSource.DefaultFolder;
        int requests = int.TryParse(Environment.GetEnvironmentVariable("ZHSENTI_BENCH_REQUESTS"), out var n) ? n : 1000;
        await using var service = await TestService.StartAsync(new() { ["Logging:LogLevel:Default"] = "Warning", ["RequestTimeoutSeconds"] = "600" }, kestrel: true, waitReady: false,
            load: (_, _) => Task.FromResult(ModelLoader.Load(folder, new ModelLoadOptions { Quantize = Environment.GetEnvironmentVariable("ZHSENTI_BENCH_QUANTIZE") ?? "none" })));
        await Readiness.WaitAsync(service.Client, TimeSpan.FromMinutes(5));

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{folder}, {requests} sequential requests each");
        foreach (var review in new[] { Review, LongReview })
        {
            double sentiment = 0;
            foreach (var (route, body) in new[]
            {
                ("/v1/sentiment", $$"""{"text": "{{review}}"}"""),
                ("/v1/analyze", $$"""{"text": "{{review}}", "aspects": "外卖"}"""),
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
                double p50 = times[requests / 2];
                if (route == "/v1/sentiment") sentiment = p50;
                string ratio = route == "/v1/analyze" ? $" ({p50 / sentiment:F1}× /v1/sentiment)" : "";
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"{review.Length} characters, {route}: p50 {p50:F3} ms, p90 {times[requests * 9 / 10]:F3} ms, p99 {times[requests * 99 / 100]:F3} ms{ratio}");
            }
        }
        TestContext.Current.SendDiagnosticMessage(report.ToString());
    }
}
