using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ZhSentiment.Tests.Serving;

/// <summary>Every malformed request gets a 4xx with an RFC 7807 body that says what is wrong, and the service stays healthy.</summary>
public class BadInputTests(BadInputTests.Service fixture) : IClassFixture<BadInputTests.Service>
{
    public sealed class Service : IAsyncLifetime
    {
        internal TestService Instance { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Instance = await TestService.StartAsync(new()
        {
            ["MaxBatchTexts"] = "3",
            ["MaxTextChars"] = "20",
            ["MaxRequestBodyBytes"] = "1000",
        });

        public ValueTask DisposeAsync() => Instance.DisposeAsync();
    }

    private TestService S => fixture.Instance;

    public static TheoryData<string, string, int, string> JsonBodies => new()
    {
        { "/predict", "{", 400, "not valid JSON" },
        { "/predict", """{"text": "a"} x""", 400, "not valid JSON" },
        { "/predict", """["a"]""", 400, "must be a JSON object" },
        { "/predict", "", 400, "The body is empty" },
        { "/predict", "{}", 400, "no `text`" },
        { "/predict", """{"texts": ["a"]}""", 400, "send several to /predict_batch" },
        { "/predict", """{"text": null}""", 400, "`text` must be a string, not null" },
        { "/predict", """{"text": 5}""", 400, "`text` must be a string, not a number" },
        { "/predict", """{"text": {"a": 1}}""", 400, "`text` must be a string, not an object" },
        { "/predict", """{"text": ["a"]}""", 400, "`text` must be a string, not an array" },
        { "/predict", """{"text": true}""", 400, "`text` must be a string, not a boolean" },
        { "/predict", """{"text": ""}""", 400, "`text` is empty or only whitespace" },
        { "/predict", """{"text": " \n\t　"}""", 400, "`text` is empty or only whitespace" },
        { "/predict", """{"text": "abcdefghijklmnopqrstu"}""", 400, "`text` has 21 characters; the limit is 20" },
        { "/predict_batch", "{}", 400, "no `texts`" },
        { "/predict_batch", """{"text": "a"}""", 400, "or one text to /predict" },
        { "/predict_batch", """{"texts": "a"}""", 400, "`texts` must be an array of strings, not a string" },
        { "/predict_batch", """{"texts": null}""", 400, "`texts` must be an array of strings, not null" },
        { "/predict_batch", """{"texts": []}""", 400, "`texts` is empty" },
        { "/predict_batch", """{"texts": ["a", 1]}""", 400, "`texts[1]` must be a string, not a number" },
        { "/predict_batch", """{"texts": ["a", null]}""", 400, "`texts[1]` must be a string, not null" },
        { "/predict_batch", """{"texts": ["a", " "]}""", 400, "`texts[1]` is empty or only whitespace" },
        { "/predict_batch", """{"texts": ["a", "abcdefghijklmnopqrstu"]}""", 400, "`texts[1]` has 21 characters" },
        { "/predict_batch", """{"texts": ["a", "b", "c", "d"]}""", 400, "more than 3 texts" },
        { "/v1/sentiment", "{}", 400, "neither `text` nor `texts`" },
        { "/v1/sentiment", """{"text": "a", "texts": ["b"]}""", 400, "either `text` or `texts`, not both" },
        { "/v1/sentiment", """{"text": "a", "neutral_threshold": "high"}""", 400, "`neutral_threshold` must be a number" },
        { "/v1/sentiment", """{"text": "a", "neutral_threshold": 1.5}""", 400, "between 0 and 1" },
        { "/v1/sentiment", """{"texts": [""]}""", 400, "`texts[0]` is empty" },
        { "/tokenize", """{"text": 1}""", 400, "`text` must be a string" },
    };

    [Theory]
    [MemberData(nameof(JsonBodies))]
    public async Task MalformedJsonBodiesAreExplained(string route, string body, int status, string detail)
    {
        using var response = await S.PostJsonAsync(route, body);
        await AssertProblemAsync(response, status, detail);
    }

    [Theory]
    [InlineData("text/plain", 415, "Content-Type: application/json")]
    [InlineData("application/x-www-form-urlencoded", 415, "Content-Type: application/json")]
    [InlineData("application/json; charset=iso-8859-1", 415, "UTF-8")]
    [InlineData(null, 415, "Content-Type: application/json")]
    public async Task WrongContentTypesAreRefused(string? contentType, int status, string detail)
    {
        var content = new ByteArrayContent("""{"text": "a"}"""u8.ToArray());
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await S.Client.PostAsync("/predict", content, TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, status, detail);
    }

    [Fact]
    public async Task InvalidUtf8IsRefused()
    {
        var content = new ByteArrayContent([.. """{"text": "a"""u8, 0xFF, 0xFE, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await S.Client.PostAsync("/predict", content, TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, 400, "not valid UTF-8");
    }

    [Fact]
    public async Task BodiesOverTheLimitAre413WithOrWithoutContentLength()
    {
        var big = JsonSerializer.Serialize(new { texts = Enumerable.Repeat("abcdefghij", 100) });
        using var declared = await S.PostJsonAsync("/predict_batch", big);
        await AssertProblemAsync(declared, 413, "larger than 1000 bytes");

        var streamed = new UnknownLengthContent(Encoding.UTF8.GetBytes(big));
        using var chunked = await S.Client.PostAsync("/predict_batch", streamed, TestContext.Current.CancellationToken);
        await AssertProblemAsync(chunked, 413, "larger than 1000 bytes");
    }

    [Fact]
    public async Task UnknownRoutesAndMethodsGetProblems()
    {
        using var missing = await S.Client.GetAsync("/nowhere", TestContext.Current.CancellationToken);
        await AssertProblemAsync(missing, 404, null);
        using var method = await S.Client.GetAsync("/predict", TestContext.Current.CancellationToken);
        await AssertProblemAsync(method, 405, null);
        using var delete = await S.Client.DeleteAsync("/v1/sentiment", TestContext.Current.CancellationToken);
        await AssertProblemAsync(delete, 405, null);
    }

    [Fact]
    public async Task TheServiceStaysHealthyAfterBadInput()
    {
        foreach (var body in new[] { "{", "[]", """{"text": 1}""", """{"text": ""}""" })
            (await S.PostJsonAsync("/predict", body)).Dispose();
        using var health = await S.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var json = await S.PostForJsonAsync("/predict", """{"text": "abc"}""");
        Assert.Equal(TestService.Expected("abc").Max(), json.GetProperty("score").GetSingle(), 5);
    }

    /// <summary>A body sent without Content-Length, so only the read itself can find it too large.</summary>
    internal sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, int status, string? detail)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(body);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        if (detail is not null) Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }
}
