using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ZhSentiment.Tests.Serving;

/// <summary>The service on a real Kestrel loopback socket, under concurrent clients.</summary>
public class KestrelTests
{
    [Fact]
    public async Task ConcurrentCallersGetTheSameAnswersAsOneAtATime()
    {
        await using var service = await TestService.StartAsync(kestrel: true);
        // Each text has its own length and letter, so each has its own answer and a misrouted one would show.
        var texts = Enumerable.Range(0, 96).Select(i => new string((char)('a' + i / 12), 1 + i % 12)).ToArray();

        var alone = new string[texts.Length];
        for (int i = 0; i < texts.Length; i++) alone[i] = await PredictAsync(service.Client, texts[i]);
        var batchesAlone = service.Model.Batches.Count;
        Assert.Equal(texts.Length, alone.Select(a => a[a.IndexOf('{')..]).Distinct().Count());

        // 32 clients, each on its own connection; the model is held until the queue has filled so batches must be shared.
        service.Model.Gate.Reset();
        var clients = Enumerable.Range(0, 32).Select(_ => new HttpClient { BaseAddress = service.Client.BaseAddress }).ToArray();
        try
        {
            var calls = texts.Select((text, i) => Task.Run(() => PredictAsync(clients[i % clients.Length], text))).ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (service.Engine.QueueDepth < 32 && DateTime.UtcNow < deadline) await Task.Delay(5, TestContext.Current.CancellationToken);
            service.Model.Gate.Set();
            var together = await Task.WhenAll(calls);

            Assert.Equal(alone, together);
            var shared = service.Model.Batches.Skip(batchesAlone).ToList();
            Assert.True(shared.Count < texts.Length, $"{shared.Count} batches for {texts.Length} requests");
            Assert.Contains(shared, b => b.Rows > 1);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task KestrelRefusesBodiesOverTheLimit()
    {
        await using var service = await TestService.StartAsync(new() { ["MaxRequestBodyBytes"] = "1000" }, kestrel: true);
        var big = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { texts = Enumerable.Repeat("abcdefghij", 200) }));
        using var chunked = await service.Client.PostAsync("/predict_batch", new BadInputTests.UnknownLengthContent(big), TestContext.Current.CancellationToken);
        await BadInputTests.AssertProblemAsync(chunked, 413, null);
        using var declared = await service.Client.PostAsync("/predict_batch", new ByteArrayContent(big) { Headers = { ContentType = new("application/json") } }, TestContext.Current.CancellationToken);
        await BadInputTests.AssertProblemAsync(declared, 413, null);
        using var health = await service.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>
    /// Python's urllib and requests send the whole body before they read (no Expect: 100-continue); a server that
    /// answers 413 and closes at once leaves them with a broken pipe. The body is drained, so the answer is read.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_sends_a_whole_oversized_body_before_reading_gets_its_413(bool chunked)
    {
        await using var service = await TestService.StartAsync(new() { ["MaxRequestBodyBytes"] = "1000000" }, kestrel: true);
        var address = service.Client.BaseAddress!;
        var text = new string('a', 5 * 1024 * 1024);
        var json = Encoding.UTF8.GetBytes($"{{\"text\": \"{text}\"}}");
        var body = chunked ? [.. Encoding.ASCII.GetBytes($"{json.Length:x}\r\n"), .. json, .. "\r\n0\r\n\r\n"u8] : json;
        var framing = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {json.Length}";
        var head = Encoding.ASCII.GetBytes($"POST /predict HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nConnection: close\r\n{framing}\r\n\r\n");

        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port, TestContext.Current.CancellationToken);
        // Everything is sent before anything is read, as those clients do; a reset fails the send.
        await socket.SendAsync(head, TestContext.Current.CancellationToken);
        await socket.SendAsync(body, TestContext.Current.CancellationToken);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken)) > 0) received.Write(buffer, 0, n);

        var answer = Encoding.UTF8.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 413 ", answer, StringComparison.Ordinal);
        Assert.Contains("larger than 1000000 bytes", answer, StringComparison.Ordinal);
    }

    /// <summary>The raw answer (it has the text's token count and probabilities), so that a test compares exactly what callers receive.</summary>
    private static async Task<string> PredictAsync(HttpClient client, string text)
    {
        using var response = await client.PostAsJsonAsync("/v1/sentiment", new { text }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return text + " → " + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
