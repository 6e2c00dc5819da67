using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using ZhSentiment.Inference;

namespace ZhSentiment.Serving;

/// <summary>The request side of inference: the inference-time header, overload and loading as 503.</summary>
internal static class Prediction
{
    /// <summary>Model time in milliseconds of the batches that carried the request; 0 on routes that run no model.</summary>
    public const string InferenceTimeHeader = "X-Inference-Time-Ms";

    private const int LoadingRetryAfterSeconds = 5, OverloadRetryAfterSeconds = 1;

    /// <summary>Classifies the texts with the caller's abort token, so a client that goes away has its work dropped.</summary>
    public static async ValueTask<(SentimentResult[] Results, ProblemHttpResult? Problem)> RunAsync(HttpContext context, SentimentEngine engine, string[] texts)
    {
        var (results, problem) = await RunAsync(context, engine, token => engine.PredictAsync(texts, token), results => results[0].InferenceTime, results => results.Length);
        return (results ?? [], problem);
    }

    /// <summary>
    /// Runs work on the engine with the caller's abort token; <paramref name="inferenceTime"/> gives the header's value
    /// and <paramref name="predictions"/> how many texts the model classified for it (counted per route in <c>/metrics</c>).
    /// </summary>
    public static async ValueTask<(T? Result, ProblemHttpResult? Problem)> RunAsync<T>(HttpContext context, SentimentEngine engine,
        Func<CancellationToken, Task<T>> predict, Func<T, TimeSpan> inferenceTime, Func<T, int> predictions)
        where T : class
    {
        try
        {
            var result = await predict(context.RequestAborted);
            context.Response.Headers[InferenceTimeHeader] = inferenceTime(result).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
            string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            context.RequestServices.GetRequiredService<ServiceMetrics>().CountPredictions(route, engine.Info.Name, predictions(result));
            return (result, null);
        }
        catch (EngineOverloadedException e)
        {
            return (null, Unavailable(context, e.Message, OverloadRetryAfterSeconds));
        }
    }

    /// <summary>The label answered for a verdict: <c>Neutral</c> when its probability is below the request's <c>neutral_threshold</c>.</summary>
    public static string LabelOf(string label, float score, double? neutralThreshold) => score < neutralThreshold ? LabelSet.Neutral : label;

    /// <summary>The sentiment head's class probabilities under the model's own labels, as <c>/v1/sentiment</c> and <c>/v1/analyze</c> list them.</summary>
    public static LabelScore[] SentimentProbabilities(LabelSet labels, IReadOnlyList<float> probabilities)
    {
        var head = labels.SentimentHead;
        var scores = new LabelScore[head.Count];
        for (int c = 0; c < scores.Length; c++) scores[c] = new LabelScore(labels.ModelLabels[head.Offset + c], probabilities[head.Offset + c]);
        return scores;
    }

    /// <summary>What a model answers, for the start-up log: its tasks and, for an emotion model, its emotions.</summary>
    public static string Describe(LabelSet labels) =>
        (labels.IsCanonical ? "sentiment" : "its own labels") +
        (labels.EmotionHead is { } head ? $" and emotions ({string.Join(", ", labels.Names.Skip(head.Offset).Take(head.Count))}): an emotion model" : "");

    /// <summary>503 while the model loads.</summary>
    public static ProblemHttpResult Loading(HttpContext context, string name) =>
        Unavailable(context, $"The model '{name}' is still loading; retry shortly.", LoadingRetryAfterSeconds);

    public static ProblemHttpResult Unavailable(HttpContext context, string detail, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// Documents the JSON body a route reads by hand. Unlike <c>Accepts&lt;T&gt;</c> it adds no content-type matching, which
    /// would refuse other content types with a bare 415 before the route can explain.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>The problems every text route can answer, for the OpenAPI document.</summary>
    public static RouteHandlerBuilder ProducesTextProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
