namespace ZhSentiment.Tests.Serving;

public class MetricsTests
{
    [Fact]
    public async Task MetricsExportRequestsAndTheEngine()
    {
        await using var service = await TestService.StartAsync();
        await service.PostForJsonAsync("/predict_batch", """{"texts": ["abc", "de"]}""");
        (await service.PostJsonAsync("/predict", "{")).Dispose();

        var text = await service.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        Assert.Contains("http_requests_received_total{code=\"200\",method=\"POST\",controller=\"\",action=\"\",endpoint=\"/predict_batch\"}", text);
        Assert.Contains("http_requests_received_total{code=\"400\",method=\"POST\",controller=\"\",action=\"\",endpoint=\"/predict\"}", text);
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text);
        foreach (var family in new[] { "zhsenti_batch_rows", "zhsenti_batch_tokens", "zhsenti_inference_seconds", "zhsenti_queue_wait_seconds", "zhsenti_queue_depth", "zhsenti_windows_in_flight", "zhsenti_queue_wait_recent_seconds" })
            Assert.Contains("# TYPE " + family, text);
    }
}
