using System.Net;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ZhSentiment.Client;

/// <summary>
/// A typed client for a <c>zhsenti serve</c> service: one method per route. Construct it from an <see cref="HttpClient"/>
/// whose <see cref="HttpClient.BaseAddress"/> is the service (e.g. <c>http://127.0.0.1:5000/</c>), so that
/// <c>IHttpClientFactory</c> (<c>services.AddHttpClient&lt;ZhSentimentClient&gt;(...)</c>) and its resilience handlers apply.
/// </summary>
/// <remarks>
/// A refused request throws <see cref="ZhSentimentException"/> with the status and the problem details' detail. A 503 with
/// <c>Retry-After</c> (the model still loading, the queue full) is retried after that wait, at most
/// <see cref="ZhSentimentClientOptions.MaxRetries"/> times. Thread-safe, as <see cref="HttpClient"/> is.
/// </remarks>
/// <example>
/// <code>
/// var client = new ZhSentimentClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5000/") });
/// var answer = await client.PredictAsync("这家店的服务态度真是太好了"); // Positive 0.98
/// </code>
/// </example>
public sealed class ZhSentimentClient
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    // Chinese text goes out as UTF-8, not \uXXXX escapes (a third of the bytes against the service's body limit).
    private static readonly ClientJsonContext Json = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private readonly HttpClient _http;
    private readonly ZhSentimentClientOptions _options;

    /// <summary>A client for the service at <paramref name="httpClient"/>'s base address.</summary>
    /// <param name="httpClient">The client to send with; its <see cref="HttpClient.BaseAddress"/> must be set.</param>
    /// <param name="options">The API key and the retry policy; null: no key, the default retries.</param>
    public ZhSentimentClient(HttpClient httpClient, ZhSentimentClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        _options = options ?? new ZhSentimentClientOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRetries);
    }

    /// <summary><c>POST /predict</c>: the binary verdict (Positive or Negative) on one text and its probability.</summary>
    public Task<PredictResponse> PredictAsync(string text, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "predict", Body(new TextBody(Text(text)), Json.TextBody), Json.PredictResponse, cancellationToken);

    /// <summary><c>POST /predict_batch</c>: <see cref="PredictAsync"/>'s answers for several texts, in input order.</summary>
    public Task<IReadOnlyList<PredictResponse>> PredictBatchAsync(IEnumerable<string> texts, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "predict_batch", Body(new TextsBody(Texts(texts)), Json.TextsBody), Json.IReadOnlyListPredictResponse, cancellationToken);

    /// <summary><c>POST /v1/sentiment</c>: the three-way verdict (Positive, Negative, Neutral) on one text, with every class probability.</summary>
    /// <param name="text">The text.</param>
    /// <param name="neutralThreshold">When set (0 to 1), a verdict whose score is below it is <c>Neutral</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SentimentItem> SentimentAsync(string text, double? neutralThreshold = null, CancellationToken cancellationToken = default) =>
        (await SentimentAsync([Text(text)], neutralThreshold, cancellationToken).ConfigureAwait(false)).Results[0];

    /// <summary><c>POST /v1/sentiment</c> for several texts: the model's name and the verdicts, in input order.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="neutralThreshold">When set (0 to 1), a verdict whose score is below it is <c>Neutral</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<SentimentResponse> SentimentAsync(IEnumerable<string> texts, double? neutralThreshold = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/sentiment", Body(new SentimentBody(null, Texts(texts), neutralThreshold), Json.SentimentBody),
            Json.SentimentResponse, cancellationToken);

    /// <summary><c>POST /v1/emotion</c>: the emotion of one text, with every emotion class's score (models with emotion labels; others answer 400).</summary>
    public async Task<EmotionItem> EmotionAsync(string text, CancellationToken cancellationToken = default) =>
        (await EmotionAsync([Text(text)], cancellationToken).ConfigureAwait(false)).Results[0];

    /// <summary><c>POST /v1/emotion</c> for several texts, in input order.</summary>
    public Task<EmotionResponse> EmotionAsync(IEnumerable<string> texts, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/emotion", Body(new SentimentBody(null, Texts(texts)), Json.SentimentBody),
            Json.EmotionResponse, cancellationToken);

    /// <summary><c>POST /v1/analyze</c>: sentences, evidence and, with a preset's name (<see cref="InfoResponse.AspectPresets"/>), aspects of one text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="aspectPreset">A preset's name or alias (电商, ecommerce, …); null looks for no aspects.</param>
    /// <param name="neutralThreshold">When set (0 to 1), a verdict whose score is below it is <c>Neutral</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<AnalyzeItem> AnalyzeAsync(string text, string? aspectPreset = null, double? neutralThreshold = null, CancellationToken cancellationToken = default) =>
        (await AnalyzeAsync([Text(text)], aspectPreset, neutralThreshold, cancellationToken).ConfigureAwait(false)).Results[0];

    /// <summary><c>POST /v1/analyze</c> for several texts with a preset's aspects (or none), in input order.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="aspectPreset">A preset's name or alias (电商, ecommerce, …); null looks for no aspects.</param>
    /// <param name="neutralThreshold">When set (0 to 1), a verdict whose score is below it is <c>Neutral</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<AnalyzeResponse> AnalyzeAsync(IEnumerable<string> texts, string? aspectPreset, double? neutralThreshold = null, CancellationToken cancellationToken = default) =>
        AnalyzeAsync(texts, aspectPreset is null ? null : JsonSerializer.SerializeToElement(aspectPreset, Json.String), neutralThreshold, cancellationToken);

    /// <summary><c>POST /v1/analyze</c> for several texts with aspects of the caller's own, in input order.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="aspects">The aspects to look for, each a name and the other words that mention it.</param>
    /// <param name="neutralThreshold">When set (0 to 1), a verdict whose score is below it is <c>Neutral</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<AnalyzeResponse> AnalyzeAsync(IEnumerable<string> texts, IEnumerable<AspectRequest> aspects, double? neutralThreshold = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aspects);
        IReadOnlyList<AspectRequest> list = [.. aspects.Select(a => a with { Terms = a.Terms ?? [] })];
        return AnalyzeAsync(texts, JsonSerializer.SerializeToElement(list, Json.IReadOnlyListAspectRequest), neutralThreshold, cancellationToken);
    }

    /// <summary><c>GET /info</c>: the model being served, its labels and limits.</summary>
    public Task<InfoResponse> InfoAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "info", null, Json.InfoResponse, cancellationToken);

    /// <summary><c>POST /tokenize</c>: the tokens and ids the model reads for a text.</summary>
    public Task<TokenizeResponse> TokenizeAsync(string text, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "tokenize", Body(new TextBody(Text(text)), Json.TextBody), Json.TokenizeResponse, cancellationToken);

    /// <summary><c>GET /health</c>: <c>ok</c> as soon as the process is up.</summary>
    public Task<StatusResponse> HealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "health", null, Json.StatusResponse, cancellationToken);

    /// <summary>
    /// <c>GET /ready</c>: whether the model is loaded and answering. Does not retry: false while the model loads
    /// (the service's 503), true once it is ready.
    /// </summary>
    public async Task<bool> ReadyAsync(CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, "ready", null);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable) return false;
        if (!response.IsSuccessStatusCode) throw await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Task<AnalyzeResponse> AnalyzeAsync(IEnumerable<string> texts, JsonElement? aspects, double? neutralThreshold, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/analyze", Body(new SentimentBody(null, Texts(texts), neutralThreshold, aspects), Json.SentimentBody),
            Json.AnalyzeResponse, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var request = Request(method, path, body);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                    return await JsonSerializer.DeserializeAsync(stream, answer, cancellationToken).ConfigureAwait(false)
                        ?? throw new JsonException($"The service answered {path} with null.");
            }
            var problem = await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
            if (problem.StatusCode != HttpStatusCode.ServiceUnavailable || problem.RetryAfter is not { } wait
                || attempt >= _options.MaxRetries || wait > _options.MaxRetryDelay)
                throw problem;
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path, byte[]? body)
    {
        if (_http.BaseAddress is null)
            throw new InvalidOperationException("The HttpClient has no BaseAddress: set it to the service, e.g. http://127.0.0.1:5000/.");
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Accept.ParseAdd("application/json");
        if (_options.ApiKey is { Length: > 0 } key) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } };
        return request;
    }

    private static async Task<ZhSentimentException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemBody? problem = null;
        string text = "";
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType is { } type && type.EndsWith("json", StringComparison.OrdinalIgnoreCase))
                problem = JsonSerializer.Deserialize(text, Json.ProblemBody);
        }
        catch (JsonException)
        {
            // Not problem details: the body's text (or the reason phrase) is the detail.
        }
        var detail = problem?.Detail ?? problem?.Title ?? (text.Length > 0 && text.Length <= 1000 ? text : null) ?? response.ReasonPhrase ?? response.StatusCode.ToString();
        return new ZhSentimentException(response.StatusCode, detail, problem?.Title, RetryAfter(response));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };

    private static string Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text;
    }

    private static string[] Texts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return texts as string[] ?? [.. texts];
    }

    private static byte[] Body<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);
}
