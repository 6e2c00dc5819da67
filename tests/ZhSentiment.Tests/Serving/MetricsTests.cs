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

    [Fact]
    public async Task Predictions_are_counted_per_route_an_analysis_with_all_it_made()
    {
        await using var service = await TestService.StartAsync();
        await service.PostForJsonAsync("/predict_batch", """{"texts": ["abc", "de"]}""");
        await service.PostForJsonAsync("/v1/sentiment", """{"text": "abc"}""");
        // Three clauses alone, then the whole text and its two strongest removals.
        var analysis = await service.PostForJsonAsync("/v1/analyze", """{"text": "ab，cd，ef"}""");
        Assert.Equal(3, analysis.GetProperty("results")[0].GetProperty("sentences").GetArrayLength());

        var text = await service.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("zhsenti_predictions_total{route=\"/predict_batch\",model=\"default\"} 2", text);
        Assert.Contains("zhsenti_predictions_total{route=\"/v1/sentiment\",model=\"default\"} 1", text);
        Assert.Contains("zhsenti_predictions_total{route=\"/v1/analyze\",model=\"default\"} 6", text);
    }
}
