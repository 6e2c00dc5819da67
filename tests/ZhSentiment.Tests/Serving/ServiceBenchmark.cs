using System.Diagnostics;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// Opt-in (<c>ZHSENTI_BENCH=1</c>): the request path's own cost, measured with wrk against the service on Kestrel
/// serving the arithmetic model, whose inference is next to free — so the numbers are HTTP, JSON, validation, queue
/// and batcher overhead. Run: <c>ZHSENTI_BENCH=1 tests/ZhSentiment.Tests/bin/Release/net10.0/ZhSentiment.Tests -method "*RequestPathThroughput*"</c>.
/// </summary>
public class ServiceBenchmark
{
    [Theory]
    [InlineData("/predict", """{"text": "这家店的服务态度真是太好了"}""")]
    [InlineData("/v1/sentiment", """{"text": "这家店的服务态度真是太好了"}""")]
    public async Task RequestPathThroughput(string route, string body)
    {
        if (Environment.GetEnvironmentVariable("ZHSENTI_BENCH") != "1") Assert.Skip("set ZHSENTI_BENCH=1 to measure");
        await using var service = await TestService.StartAsync(new() { ["Logging:LogLevel:Default"] = "Warning" }, kestrel: true);
        var script = Path.Combine(Path.GetTempPath(), $"zhsenti-bench-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            wrk.body = '{{body}}'
            """, TestContext.Current.CancellationToken);
        try
        {
            var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t2", "-c32", "-d10s", "--latency", "-s", script, new Uri(service.Client.BaseAddress!, route).ToString()])
            {
                RedirectStandardOutput = true,
            })!;
            var output = await wrk.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await wrk.WaitForExitAsync(TestContext.Current.CancellationToken);
            TestContext.Current.SendDiagnosticMessage($"{route}\n{output}");
            Assert.DoesNotContain("Non-2xx", output);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
