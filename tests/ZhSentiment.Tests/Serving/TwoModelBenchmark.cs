using System.Diagnostics;
using System.Globalization;
using ZhSentiment.Inference;
using ZhSentiment.Models;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// Opt-in (<c>ZHSENTI_BENCH=1</c>, <c>ZHSENTI_BENCH_MODEL=DIR</c> a BERT-base checkpoint): the shipped model and a BERT
/// model in one service on Kestrel, the BERT one saturated by <c>ZHSENTI_BENCH_CLIENTS</c> (8) clients while one client
/// measures the shipped model's <c>/predict</c> latency: a slow model must not starve a fast one's queue. Run:
/// <c>ZHSENTI_BENCH=1 ZHSENTI_BENCH_MODEL=DIR tests/ZhSentiment.Tests/bin/Release/net10.0/ZhSentiment.Tests -method "*FastModelBesideASaturatedOne*" -diagnostics</c>.
/// </summary>
public class TwoModelBenchmark
{
    private const string Review = "这家店的外卖我已经点了好几次了，味道一直很稳定，分量也很足。这次配送有点慢，等了将近一个小时。";

    [Fact]
    public async Task FastModelBesideASaturatedOne()
    {
        if (Environment.GetEnvironmentVariable("ZHSENTI_BENCH") != "1") Assert.Skip("set ZHSENTI_BENCH=1 to measure");
        var bert = Environment.GetEnvironmentVariable("ZHSENTI_BENCH_MODEL") is { Length: > 0 } given ? given : throw new InvalidOperationException("set ZHSENTI_BENCH_MODEL to a BERT model folder");
        int clients = int.TryParse(Environment.GetEnvironmentVariable("ZHSENTI_BENCH_CLIENTS"), out var c) ? c : 8;
        await using var service = await TestService.StartAsync(new()
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["RequestTimeoutSeconds"] = "600",
            ["ZhSentiment:Models:0:Name"] = "default", ["ZhSentiment:Models:0:Source"] = ModelSource.DefaultFolder,
            ["ZhSentiment:Models:1:Name"] = "bert", ["ZhSentiment:Models:1:Source"] = bert,
            ["ZhSentiment:Models:1:Quantize"] = Environment.GetEnvironmentVariable("ZHSENTI_BENCH_QUANTIZE") ?? "int8",
        }, kestrel: true, waitReady: false, factory: (spec, token) => Task.Run(() => ModelLoader.Load(spec.Source!, spec.Load), token));
        await Readiness.WaitAsync(service.Client, TimeSpan.FromMinutes(5));

        async Task<double[]> MeasureAsync(int requests)
        {
            var times = new double[requests];
            for (int i = 0; i < requests; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using var response = await service.PostJsonAsync("/predict", $$"""{"text": "{{Review}}"}""");
                await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
                Assert.True(response.IsSuccessStatusCode);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            return times;
        }

        await MeasureAsync(200); // warm-up
        var quiet = await MeasureAsync(1000);
        using var stop = new CancellationTokenSource();
        long bertAnswers = 0;
        var load = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = service.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.PostAsync("/v1/sentiment",
                    new StringContent($$"""{"text": "{{Review}}", "model": "bert"}""", System.Text.Encoding.UTF8, "application/json"), CancellationToken.None);
                Assert.True(response.IsSuccessStatusCode, $"bert: {(int)response.StatusCode}");
                Interlocked.Increment(ref bertAnswers);
            }
        })).ToArray();
        await Task.Delay(3000, TestContext.Current.CancellationToken); // let the BERT queue fill
        long before = Interlocked.Read(ref bertAnswers);
        var clock = Stopwatch.StartNew();
        var busy = await MeasureAsync(1000);
        double seconds = clock.Elapsed.TotalSeconds;
        long served = Interlocked.Read(ref bertAnswers) - before;
        await stop.CancelAsync();
        await Task.WhenAll(load);

        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"default /predict alone: p50 {quiet[500]:F3} ms, p99 {quiet[990]:F3} ms; beside {clients} clients saturating bert " +
            $"({served / seconds:F1} answers/s): p50 {busy[500]:F3} ms, p90 {busy[900]:F3} ms, p99 {busy[990]:F3} ms"));
    }
}
