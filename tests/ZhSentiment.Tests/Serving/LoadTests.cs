using System.Net;
using System.Text.Json;

namespace ZhSentiment.Tests.Serving;

/// <summary>Overload, disconnects and timeouts: 503 with Retry-After, and work nobody waits for is dropped.</summary>
public class LoadTests
{
    // Framed lengths ([CLS] text [SEP]) that no other text in these tests has.
    private const string First = "aaaaaaa", Second = "bbbbbbbbb";

    /// <summary>
    /// With one row per batch and the model held, sends the first request and waits until the model holds it, then
    /// sends the second and waits until it is queued. (Sent together, the second could reach a one-place queue
    /// before the batcher takes the first, and be refused.)
    /// </summary>
    private static async Task<(Task<HttpResponseMessage> Running, Task<HttpResponseMessage> Queued)> HoldOneRunningOneQueuedAsync(
        TestService service, Func<Task<HttpResponseMessage>> first, Func<Task<HttpResponseMessage>> second)
    {
        var running = first();
        await WaitUntilAsync(() => service.Model.Held == 1, "the first request never reached the model");
        var queued = second();
        await WaitUntilAsync(() => service.Engine.QueueDepth == 1, "the second request was never queued");
        return (running, queued);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure);
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    private static int BatchesOf(TestService service, params string[] texts) =>
        service.Model.Batches.Count(b => texts.Any(t => b.Length == t.Length + 2));

    [Fact]
    public async Task FullQueueAnswers503WithRetryAfter()
    {
        await using var service = await TestService.StartAsync(new() { ["QueueCapacity"] = "1", ["MaxBatchRows"] = "1" });
        service.Model.Gate.Reset();
        var (running, queued) = await HoldOneRunningOneQueuedAsync(service,
            () => service.PostJsonAsync("/predict", $$"""{"text": "{{First}}"}"""),
            () => service.PostJsonAsync("/predict", $$"""{"text": "{{Second}}"}"""));

        using var refused = await service.PostJsonAsync("/predict_batch", """{"texts": ["c", "d"]}""");
        await BadInputTests.AssertProblemAsync(refused, 503, "queue is full");
        Assert.Equal("1", Assert.Single(refused.Headers.GetValues("Retry-After")));

        service.Model.Gate.Set();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        using var health = await service.Client.GetAsync("/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task DisconnectedClientsHaveTheirQueuedWorkDropped()
    {
        await using var service = await TestService.StartAsync(new() { ["MaxBatchRows"] = "1" });
        service.Model.Gate.Reset();
        using var cancelFirst = new CancellationTokenSource();
        using var cancelSecond = new CancellationTokenSource();
        var (first, second) = await HoldOneRunningOneQueuedAsync(service,
            () => service.Client.PostAsync("/predict", Json(First), cancelFirst.Token),
            () => service.Client.PostAsync("/predict", Json(Second), cancelSecond.Token));

        await cancelFirst.CancelAsync();
        await cancelSecond.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        service.Model.Gate.Set();
        await service.PostForJsonAsync("/predict", """{"text": "c"}""");

        // The running request's batch had started; the queued one never reached the model.
        Assert.Equal(1, BatchesOf(service, First, Second));
        Assert.Equal(0, service.Engine.QueueDepth);
    }

    [Fact]
    public async Task SlowRequestsTimeOutWith503AndTheirWorkIsDropped()
    {
        await using var service = await TestService.StartAsync(new() { ["MaxBatchRows"] = "1", ["RequestTimeoutSeconds"] = "0.5" });
        service.Model.Gate.Reset();
        var first = service.PostJsonAsync("/predict", $$"""{"text": "{{First}}"}""");
        var second = service.PostJsonAsync("/predict", $$"""{"text": "{{Second}}"}""");

        foreach (var response in await Task.WhenAll(first, second))
        {
            await BadInputTests.AssertProblemAsync(response, 503, "timeout");
            Assert.Equal("1", Assert.Single(response.Headers.GetValues("Retry-After")));
        }
        service.Model.Gate.Set();
        await service.PostForJsonAsync("/predict", """{"text": "c"}""");
        Assert.Equal(1, BatchesOf(service, First, Second));
    }

    private static StringContent Json(string text) =>
        new(JsonSerializer.Serialize(new { text }), System.Text.Encoding.UTF8, "application/json");
}
