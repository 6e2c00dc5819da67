using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace ZhSentiment.Tests.Serving;

public class AuthTests
{
    private const string Key = "k3y-that-must-not-leak";

    [Fact]
    public async Task ApiKeyProtectsEverythingButTheProbes()
    {
        var logs = new CapturingLoggerProvider();
        await using var service = await TestService.StartAsync(new() { ["ApiKey"] = Key }, configure: b =>
        {
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Trace);
        });

        using var none = await service.PostJsonAsync("/predict", """{"text": "abc"}""");
        await BadInputTests.AssertProblemAsync(none, 401, "Bearer");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());

        foreach (var wrong in new[] { "Bearer wrong", "Bearer " + Key + "x", "Bearer " + Key[..^1], Key, "Basic " + Key })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/info");
            request.Headers.TryAddWithoutValidation("Authorization", wrong);
            using var response = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);
            await BadInputTests.AssertProblemAsync(response, 401, null);
        }
        foreach (var path in new[] { "/metrics", "/info", "/nowhere" })
        {
            using var response = await service.Client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        // The probes, and the API reference the page links: it describes the routes and holds no data.
        foreach (var path in new[] { "/health", "/ready", "/openapi/v1.json", "/scalar/v1" })
        {
            using var response = await service.Client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        service.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var json = await service.PostForJsonAsync("/predict", """{"text": "abc"}""");
        Assert.Equal(TestService.Expected("abc").Max(), json.GetProperty("score").GetSingle(), 5);

        Assert.NotEmpty(logs.Messages);
        Assert.DoesNotContain(logs.Messages, m => m.Contains(Key[..8], StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAKeyEverythingIsOpen()
    {
        await using var service = await TestService.StartAsync();
        using var response = await service.Client.GetAsync("/info", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception) + exception);

        public void Dispose() { }
    }
}
