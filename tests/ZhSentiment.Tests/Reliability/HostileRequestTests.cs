using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// The committed hostile-request corpus against the real service on a loopback Kestrel: every case gets its
/// defined status (never a 5xx), 4xx answers are problem details, <c>/ready</c> stays 200 throughout, and the
/// answers to ordinary texts are byte-identical before and after.
/// </summary>
public sealed class HostileRequestTests
{
    private static readonly string CorpusPath = Path.Combine(TestPaths.Fixtures, "hostile", "requests.jsonl");
    private static readonly string[] Probes = ["这家店的服务态度真是太好了", "太差了，再也不来了", "一般般吧", "好"];

    [Fact]
    public void The_corpus_has_at_least_60_distinct_cases()
    {
        var corpus = HostileRequest.Load(CorpusPath);
        Assert.True(corpus.Count >= 60, $"{corpus.Count} cases");
        Assert.Equal(corpus.Count, corpus.Select(c => c.Name).Distinct().Count());
        Assert.All(corpus, c => Assert.InRange(c.Expect, 200, 499));
        Assert.Contains(corpus, c => c.Expect < 300);
    }

    [Fact]
    public async Task Every_hostile_request_gets_its_defined_answer()
    {
        await using var service = await FixtureService.StartAsync();
        var before = await ProbeAsync(service);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var notReady = new ConcurrentQueue<string>();
        var watcher = WatchReadyAsync(service, notReady, stop.Token);

        var corpus = HostileRequest.Load(CorpusPath);
        // Bodies that stall take seconds by design; they run beside the others, which go one at a time so that
        // each big request finds the queue empty.
        var slow = corpus.Where(c => c.Slow).Select(c => CheckAsync(service, c)).ToList();
        var failures = new List<string>();
        foreach (var c in corpus.Where(c => !c.Slow)) failures.AddRange(await CheckAsync(service, c));
        foreach (var result in await Task.WhenAll(slow)) failures.AddRange(result);

        await stop.CancelAsync();
        await watcher;
        var after = await ProbeAsync(service);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(notReady.IsEmpty, "/ready: " + string.Join(", ", notReady));
        Assert.Equal(before, after);
    }

    private static async Task<List<string>> CheckAsync(FixtureService service, HostileRequest c)
    {
        var failures = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        RawResponse? response;
        try
        {
            response = await RawHttp.SendAsync(service.EndPoint, c.Bytes, c.HeadLength, c.Trickle, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return [$"{c.Name}: no answer in 60 s"];
        }
        if (response is null) return [$"{c.Name}: the connection closed without an answer"];
        string body = response.Text;
        TestContext.Current.TestOutputHelper?.WriteLine($"{c.Name}: {response.Status} {(body.Length > 300 ? body[..300] : body)}");
        if (response.Status != c.Expect) failures.Add($"{c.Name}: expected {c.Expect}, got {response.Status}: {body}");
        if (response.Status >= 500) return failures;

        if (c.Problem)
        {
            response.Headers.TryGetValue("content-type", out var type);
            if (type is null || !type.StartsWith("application/problem+json", StringComparison.Ordinal))
            {
                failures.Add($"{c.Name}: content type '{type}', not problem details: {body}");
                return failures;
            }
            var problem = JsonDocument.Parse(body).RootElement;
            if (problem.GetProperty("status").GetInt32() != response.Status) failures.Add($"{c.Name}: problem status {problem.GetProperty("status")}");
            if (string.IsNullOrEmpty(problem.GetProperty("title").GetString())) failures.Add($"{c.Name}: problem without a title");
            if (c.Detail is not null && !(problem.TryGetProperty("detail", out var detail) && detail.GetString()!.Contains(c.Detail, StringComparison.Ordinal)))
                failures.Add($"{c.Name}: detail does not say '{c.Detail}': {body}");
        }
        else if (response.Status < 300)
        {
            var json = JsonDocument.Parse(body).RootElement;
            if (c.Path.StartsWith("/predict", StringComparison.OrdinalIgnoreCase) || c.Path.Length == 0)
            {
                var results = json.ValueKind == JsonValueKind.Array ? [.. json.EnumerateArray()] : new[] { json };
                foreach (var result in results)
                {
                    if (result.GetProperty("label").GetString() is not ("Positive" or "Negative")) failures.Add($"{c.Name}: label {result}");
                    if (result.GetProperty("score").GetDouble() is not (>= 0.5 and <= 1)) failures.Add($"{c.Name}: score {result}");
                }
            }
        }
        return failures;
    }

    /// <summary>The raw bodies of <c>/predict</c> and <c>/v1/sentiment</c> for ordinary texts.</summary>
    private static async Task<List<string>> ProbeAsync(FixtureService service)
    {
        var answers = new List<string>();
        foreach (var route in new[] { "/predict", "/v1/sentiment" })
        {
            foreach (var text in Probes)
            {
                var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text }));
                var request = RawHttp.Head("POST", route, $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n");
                var response = await RawHttp.SendAsync(service.EndPoint, [.. request, .. body], cancellationToken: TestContext.Current.CancellationToken);
                Assert.Equal(200, response?.Status);
                answers.Add(route + " " + response!.Text);
            }
        }
        return answers;
    }

    private static async Task WatchReadyAsync(FixtureService service, ConcurrentQueue<string> notReady, CancellationToken stop)
    {
        using var client = new HttpClient { BaseAddress = service.Client.BaseAddress };
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var ready = await client.GetAsync("/ready", stop);
                if (ready.StatusCode != HttpStatusCode.OK) notReady.Enqueue(((int)ready.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (HttpRequestException e)
            {
                notReady.Enqueue(e.Message);
            }
        }
    }
}
