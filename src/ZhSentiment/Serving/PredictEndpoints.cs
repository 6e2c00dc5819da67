using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ZhSentiment.Serving;

/// <summary>
/// The Flask service's routes, answered in its exact shape: <c>{"label": "Positive", "score": 0.9876}</c>. The label is
/// always one of the two polar sides, also for a model with a neutral class (see <see cref="SentimentResult.PolarLabel"/>).
/// </summary>
internal static class PredictEndpoints
{
    public static RouteGroupBuilder MapPredict(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Flask-compatible");
        group.MapPost("/predict", PredictOne)
            .AcceptsJson<TextRequest>()
            .ProducesTextProblems()
            .WithName("Predict")
            .WithSummary("Classify one text")
            .WithDescription("`{\"text\": \"这家店的服务态度真是太好了\"}` → `{\"label\": \"Positive\", \"score\": 0.9876}`. `?model=NAME` picks a model other than the default.");
        group.MapPost("/predict_batch", PredictMany)
            .AcceptsJson<TextsRequest>()
            .ProducesTextProblems()
            .WithName("PredictBatch")
            .WithSummary("Classify several texts")
            .WithDescription("`{\"texts\": [...]}` → an array of `{\"label\", \"score\"}`, in input order. `?model=NAME` picks a model other than the default.");
        return group;
    }

    private static async Task<Results<Ok<PredictResponse>, ProblemHttpResult>> PredictOne(HttpContext context, ModelRegistry models, IOptions<ServiceOptions> options)
    {
        var body = await RequestReader.ReadAsync(context.Request, options.Value, TextShape.One, otherRoute: "/predict_batch", modelInQuery: true);
        if (body.Problem is { } invalid) return invalid;
        using var lease = models.Lease(context, body.Model);
        if (lease.Problem is { } unavailable) return unavailable;
        var (results, problem) = await Prediction.RunAsync(context, lease.Engine, body.Texts);
        if (problem is not null) return problem;
        return TypedResults.Ok(new PredictResponse(results[0].Polarity, results[0].PolarityScore));
    }

    private static async Task<Results<Ok<PredictResponse[]>, ProblemHttpResult>> PredictMany(HttpContext context, ModelRegistry models, IOptions<ServiceOptions> options)
    {
        var body = await RequestReader.ReadAsync(context.Request, options.Value, TextShape.Many, otherRoute: "/predict", modelInQuery: true);
        if (body.Problem is { } invalid) return invalid;
        using var lease = models.Lease(context, body.Model);
        if (lease.Problem is { } unavailable) return unavailable;
        var (results, problem) = await Prediction.RunAsync(context, lease.Engine, body.Texts);
        if (problem is not null) return problem;
        var answers = new PredictResponse[results.Length];
        for (int i = 0; i < results.Length; i++) answers[i] = new PredictResponse(results[i].Polarity, results[i].PolarityScore);
        return TypedResults.Ok(answers);
    }
}
