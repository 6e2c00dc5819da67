using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ZhSentiment.Tests.Serving;

namespace ZhSentiment.Tests.Web;

/// <summary>How the page's files are served: from the service itself, under a strict policy, without the API key.</summary>
public class WebEndpointsTests
{
    private static readonly string[] AssetPaths = ["/", "/web/app.js", "/web/app.css", "/web/favicon.svg"];

    [Fact]
    public async Task ThePageAndEveryFileItReferencesAreServedWithSecurityHeaders()
    {
        await using var service = await TestService.StartAsync();
        var html = await service.Client.GetStringAsync("/", TestContext.Current.CancellationToken);
        var referenced = Regex.Matches(html, @"(?:href|src)=""([^""]+)""").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["/web/favicon.svg", "/web/app.css", "/web/app.js", "#single", "/scalar/v1"], referenced);

        foreach (var (path, type) in new[] { ("/", "text/html"), ("/web/app.js", "text/javascript"), ("/web/app.css", "text/css"), ("/web/favicon.svg", "image/svg+xml") })
        {
            using var response = await service.Client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());

            // Nothing is fetched from anywhere else: the only absolute URL is the SVG namespace.
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotMatch(@"(?:https?:)?//(?!www\.w3\.org/2000/svg)[a-z0-9.-]+\.[a-z]{2,}/", body);

            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            using var cached = await service.Client.SendAsync(again, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);

            using var head = await service.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(response.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        }
        using var scalar = await service.Client.GetAsync("/scalar/v1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
    }

    [Fact]
    public async Task WithAnApiKeyOnlyThePagesOwnFilesAndTheApiReferenceItLinksAreOpen()
    {
        await using var service = await TestService.StartAsync(new() { ["ApiKey"] = "k" });
        foreach (var path in AssetPaths.Concat(["/scalar/v1", "/openapi/v1.json"]))
        {
            using var open = await service.Client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }
        foreach (var path in new[] { "/info", "/web/other.js", "/web/", "/index.html", "/scalarx", "/openapi/v2.json" })
        {
            using var closed = await service.Client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/info") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "k") } };
        using var info = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }
}
