using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Logging;
using ZhSentiment.Serving;
using ZhSentiment.Web;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// With an API key, every route the app maps (read from its endpoint data sources, so a new route is covered the
/// day it is added) refuses a missing or wrong key with 401 problem details, except the probes and the web page's
/// static files; and the key shows up in no log line, for good requests and failing ones alike.
/// </summary>
public sealed class ApiKeyRouteTests
{
    private const string Key = "s3cr3t-Key-0123456789abcdef";

    private static readonly string?[] WrongAuthorizations =
    [
        null, "", "Bearer", "Bearer ", "Bearer wrong", "Bearer " + Key + "x", "Bearer " + Key[..^1], "Bearer " + Key.ToUpperInvariant(),
        Key, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Key)), "Token " + Key, "Bearer " + Key + " " + Key,
    ];

    [Fact]
    public async Task Every_route_but_the_probes_needs_the_key_and_the_key_is_never_logged()
    {
        var logs = new CapturingLoggerProvider();
        await using var service = await FixtureService.StartAsync(new() { ["ApiKey"] = Key, ["MaxRequestBodyBytes"] = "10000" }, b =>
        {
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Trace);
        });

        var routes = ((IEndpointRouteBuilder)service.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: PathOf(e.RoutePattern))))
            .Distinct().ToList();
        Assert.Contains(("POST", "/predict"), routes);
        Assert.Contains(("GET", "/metrics"), routes);
        // Open by design: the probes, the web page's static files (the page asks for the key itself) and the API
        // reference the page links (a description of the routes, no data).
        Assert.All(HealthEndpoints.OpenPaths, path => Assert.Contains(("GET", path), routes));
        Assert.Contains(("GET", "/openapi/v1.json"), routes);
        bool IsOpen(string path) => HealthEndpoints.OpenPaths.Contains(path) || WebEndpoints.IsOpen(path) || path == "/openapi/v1.json" || path.StartsWith("/scalar/", StringComparison.Ordinal);

        var failures = new List<string>();
        foreach (var (method, path) in routes.Append(("GET", "/not-a-route")).Append(("POST", "/health/../predict")))
        {
            bool isOpen = IsOpen(path);
            foreach (var authorization in WrongAuthorizations)
            {
                using var response = await SendAsync(service.Client, method, path, authorization);
                if (isOpen)
                {
                    if (response.StatusCode != HttpStatusCode.OK) failures.Add($"{method} {path} without the key: {(int)response.StatusCode}");
                    continue;
                }
                if (response.StatusCode != HttpStatusCode.Unauthorized) failures.Add($"{method} {path} with '{authorization}': {(int)response.StatusCode}");
                else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || response.Headers.WwwAuthenticate.ToString() != "Bearer")
                    failures.Add($"{method} {path}: 401 without problem details or WWW-Authenticate");
            }
            using var allowed = await SendAsync(service.Client, method, path, "Bearer " + Key);
            if (allowed.StatusCode is HttpStatusCode.Unauthorized || (int)allowed.StatusCode >= 500)
                failures.Add($"{method} {path} with the key: {(int)allowed.StatusCode}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Failing requests that carry the key: bad JSON, too large, wrong type, unknown route, a timeout-free 405.
        foreach (var (path, body) in new[] { ("/predict", "{"), ("/predict", new string('x', 20_000)), ("/predict", "{\"text\": 1}"), ("/nowhere", "{}") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            // Kestrel closes the connection after a 413; keep the pool from handing that connection to the next request.
            request.Headers.ConnectionClose = body.Length > 10_000;
            HttpResponseMessage response;
            try
            {
                response = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException) when (body.Length > 10_000)
            {
                // Kestrel answers 413 and closes the connection without reading the rest of the body; the client may
                // see the reset before the answer. The request was still handled, and logged, with the key on it.
                continue;
            }
            using (response) Assert.InRange((int)response.StatusCode, 400, 499);
        }
        using (var metrics = await SendAsync(service.Client, "GET", "/metrics", "Bearer " + Key))
            Assert.DoesNotContain(Key, await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.True(logs.Messages.Count > 10, $"only {logs.Messages.Count} log lines were captured");
        Assert.DoesNotContain(logs.Messages, m => m.Contains(Key[..10], StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A concrete path for a route pattern: each parameter becomes a plain segment.</summary>
    private static string PathOf(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => parameter.Name == "documentName" ? "v1" : "x",
            _ => "",
        }))));

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? authorization)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{\"text\": \"好\"}", Encoding.UTF8, "application/json");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            Messages.Enqueue(state.ToString() ?? "");
            return null;
        }
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception) + " " + state + " " + exception);

        public void Dispose() { }
    }
}
