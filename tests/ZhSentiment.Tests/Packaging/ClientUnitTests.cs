using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZhSentiment.Client;

namespace ZhSentiment.Tests.Packaging;

/// <summary>ZhSentimentClient against a scripted handler, and AddZhSentiment in a container: no service, no packing.</summary>
public sealed class ClientUnitTests
{
    [Fact]
    public async Task SendsTheKeyAndSnakeCaseJsonAndReadsTheAnswer()
    {
        var handler = new ScriptedHandler((200, null, """{"label":"Positive","score":0.98}"""));
        var client = new ZhSentimentClient(new HttpClient(handler) { BaseAddress = new Uri("http://svc/base/") }, new ZhSentimentClientOptions { ApiKey = "k" });

        Assert.Equal(new PredictResponse("Positive", 0.98f), await client.PredictAsync("好"));

        var (request, body) = handler.Seen.Single();
        Assert.Equal("http://svc/base/predict", request.RequestUri!.ToString());
        Assert.Equal("Bearer k", request.Headers.Authorization!.ToString());
        Assert.Equal("""{"text":"好"}""", body);
    }

    [Fact]
    public async Task SentimentSendsTheNeutralThresholdOnlyWhenGiven()
    {
        const string answer = """{"model":"m","results":[{"label":"Neutral","score":0.5,"model_label":"中性","probabilities":[{"label":"中性","score":0.5}],"tokens":2,"windows":1}]}""";
        var handler = new ScriptedHandler((200, null, answer), (200, null, answer));
        var client = new ZhSentimentClient(new HttpClient(handler) { BaseAddress = new Uri("http://svc/") });

        var item = await client.SentimentAsync("还行", neutralThreshold: 0.6);
        await client.SentimentAsync(["还行"]);

        Assert.Equal("中性", item.ModelLabel);
        Assert.Equal("""{"texts":["还行"],"neutral_threshold":0.6}""", handler.Seen[0].Body);
        Assert.Equal("""{"texts":["还行"]}""", handler.Seen[1].Body);
    }

    [Fact]
    public async Task ProblemDetailsBecomeOneExceptionWithStatusAndDetail()
    {
        var handler = new ScriptedHandler((400, null, """{"type":"t","title":"Bad Request","status":400,"detail":"The text is empty."}"""));
        var client = new ZhSentimentClient(new HttpClient(handler) { BaseAddress = new Uri("http://svc/") });

        var e = await Assert.ThrowsAsync<ZhSentimentException>(() => client.PredictAsync(" "));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal("The text is empty.", e.Detail);
        Assert.Equal("Bad Request", e.Title);
        Assert.Null(e.RetryAfter);
    }

    [Fact]
    public async Task A503WithRetryAfterIsRetriedAfterTheWaitABoundedNumberOfTimes()
    {
        const string busy = """{"status":503,"detail":"The queue is full."}""";
        var handler = new ScriptedHandler((503, "0", busy), (503, "0", busy), (200, null, """{"status":"ok"}"""));
        var client = new ZhSentimentClient(new HttpClient(handler) { BaseAddress = new Uri("http://svc/") }, new ZhSentimentClientOptions { MaxRetries = 2 });
        Assert.Equal("ok", (await client.HealthAsync()).Status);
        Assert.Equal(3, handler.Seen.Count);

        handler = new ScriptedHandler((503, "0", busy), (503, "0", busy), (503, "0", busy));
        client = new ZhSentimentClient(new HttpClient(handler) { BaseAddress = new Uri("http://svc/") }, new ZhSentimentClientOptions { MaxRetries = 2 });
        var e = await Assert.ThrowsAsync<ZhSentimentException>(() => client.HealthAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Equal(TimeSpan.Zero, e.RetryAfter);
        Assert.Equal(3, handler.Seen.Count);

        // Without Retry-After, or with a wait beyond MaxRetryDelay, nothing is retried; nor is any other status.
        foreach (var (status, retryAfter) in new[] { (503, (string?)null), (503, "120"), (500, "0") })
        {
            handler = new ScriptedHandler((status, retryAfter, busy), (200, null, """{"status":"ok"}"""));
            client = new ZhSentimentClient(new HttpClient(handler) { BaseAddress = new Uri("http://svc/") });
            await Assert.ThrowsAsync<ZhSentimentException>(() => client.HealthAsync());
            Assert.Single(handler.Seen);
        }
    }

    [Fact]
    public async Task ABodyThatIsNotProblemDetailsStillGivesTheStatus()
    {
        var handler = new ScriptedHandler((413, null, ""));
        var client = new ZhSentimentClient(new HttpClient(handler) { BaseAddress = new Uri("http://svc/") });
        var e = await Assert.ThrowsAsync<ZhSentimentException>(() => client.PredictAsync("好"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.Detail));
    }

    [Fact]
    public async Task AddZhSentimentLoadsTheShippedModelAndReportsItsHealth()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddZhSentiment();
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();

        var analyzer = provider.GetRequiredService<SentimentAnalyzer>();
        Assert.Same(analyzer, provider.GetRequiredService<SentimentAnalyzer>());
        var report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries[ZhSentimentServiceCollectionExtensions.HealthCheckName].Status);

        var results = await analyzer.AnalyzeAsync(["这家店的服务态度真是太好了", "物流太慢了"]);
        Assert.Equal(["Positive", "Negative"], results.Select(r => r.Label));
        Assert.True(analyzer.HasEmotions);
        Assert.NotNull(results[0].Emotion);
    }

    [Fact]
    public async Task AModelThatFailsToLoadMakesTheHealthCheckUnhealthy()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddZhSentiment(Path.Combine(Path.GetTempPath(), "zhsenti-no-such-model-" + Guid.NewGuid()));
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries[ZhSentimentServiceCollectionExtensions.HealthCheckName];
        for (int i = 0; i < 100 && entry.Description == "The model is loading."; i++)
        {
            await Task.Delay(50);
            entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[ZhSentimentServiceCollectionExtensions.HealthCheckName];
        }
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.NotNull(entry.Exception);
        Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<SentimentAnalyzer>());
    }

    [Fact]
    public async Task TheAnalyzerAnswersByTheLabelSetsRuleAndKeepsInputOrder()
    {
        await using var analyzer = await SentimentAnalyzer.LoadAsync();
        string[] texts = ["物流太慢了", "这家店的服务态度真是太好了", "还行吧"];
        var many = await analyzer.AnalyzeAsync(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var one = await analyzer.AnalyzeAsync(texts[i]);
            Assert.Equal(one.Probabilities, many[i].Probabilities);
            var probabilities = many[i].Probabilities.ToArray();
            Assert.Equal(analyzer.Labels.ThreeWay(probabilities), new global::ZhSentiment.Inference.SentimentVerdict(many[i].Label, many[i].Score));
        }
        var analysis = await analyzer.AnalyzeTextAsync("价格有点贵，但是质量真的很好");
        Assert.True(analysis.Sentences.Count >= 2);
        await Assert.ThrowsAsync<ArgumentException>(() => analyzer.AnalyzeAsync(" "));
    }

    private sealed class ScriptedHandler(params (int Status, string? RetryAfter, string Body)[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<(HttpRequestMessage Request, string? Body)> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add((request, request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            var (status, retryAfter, body) = answers[_next++];
            var response = new HttpResponseMessage((HttpStatusCode)status)
            {
                Content = new StringContent(body, Encoding.UTF8, status < 300 ? "application/json" : "application/problem+json"),
            };
            if (retryAfter is not null) response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            return response;
        }
    }
}
