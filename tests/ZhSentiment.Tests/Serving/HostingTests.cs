using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ZhSentiment.Tests.Serving;

/// <summary>The model loads in the background: alive at once, ready only after loading and a warm-up prediction.</summary>
public class HostingTests
{
    [Fact]
    public async Task HealthAnswersAtOnceAndReadyOnlyAfterWarmUp()
    {
        var release = new TaskCompletionSource();
        await using var service = await TestService.StartAsync(waitReady: false, load: async (engine, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return engine;
        });

        using var health = await service.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await service.Client.GetAsync("/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("loading", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("5", Assert.Single(ready.Headers.GetValues("Retry-After")));
        using var predict = await service.PostJsonAsync("/predict", """{"text": "abc"}""");
        await BadInputTests.AssertProblemAsync(predict, 503, "still loading");
        Assert.Equal("5", Assert.Single(predict.Headers.GetValues("Retry-After")));
        using var info = await service.Client.GetAsync("/info", TestContext.Current.CancellationToken);
        await BadInputTests.AssertProblemAsync(info, 503, "still loading");

        release.SetResult();
        await service.WaitReadyAsync();
        // 这家店的服务态度真是太好了: 13 characters, [CLS] and [SEP]; then a text that fills the longest window.
        Assert.Equal((1, 15), service.Model.Batches.First());
        Assert.Contains(service.Model.Batches, b => b.Length == TestService.Info.MaxSequenceLength);
        await service.PostForJsonAsync("/predict", """{"text": "abc"}""");
    }

    [Fact]
    public async Task AModelThatFailsToLoadStopsTheService()
    {
        await using var service = await TestService.StartAsync(waitReady: false,
            load: (_, _) => throw new ModelFormatException("/models/broken/config.json", "no id2label"));

        var lifetime = service.App.Services.GetRequiredService<IHostApplicationLifetime>();
        await Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(_ => { }, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal("/models/broken/config.json: no id2label", service.Registry.Failure?.Reason);
    }

    [Fact]
    public async Task StoppingFinishesRequestsInFlight()
    {
        await using var service = await TestService.StartAsync(new() { ["MaxBatchRows"] = "1" }, kestrel: true);
        service.Model.Gate.Reset();
        var inFlight = Enumerable.Range(0, 4).Select(i => service.PostJsonAsync("/predict", $$"""{"text": "{{new string('a', i + 1)}}"}""")).ToArray();
        while (service.Engine.QueueDepth < 3) await Task.Delay(5, TestContext.Current.CancellationToken);

        var stopping = service.App.StopAsync(TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(stopping.IsCompleted);
        service.Model.Gate.Set();
        await stopping;
        foreach (var response in await Task.WhenAll(inFlight)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
