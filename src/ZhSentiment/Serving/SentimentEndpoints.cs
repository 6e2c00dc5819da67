using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ZhSentiment.Inference;

namespace ZhSentiment.Serving;

/// <summary><c>/v1/sentiment</c>: the full verdict per text, and an optional neutral band.</summary>
internal static class SentimentEndpoints
{
    public static RouteGroupBuilder MapSentiment(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("Sentiment");
        group.MapPost("/sentiment", Classify)
            .AcceptsJson<SentimentRequest>()
            .ProducesTextProblems()
            .WithName("Sentiment")
            .WithSummary("Classify one or several texts, with every class probability")
            .WithDescription(
                "Send `{\"text\": \"...\"}` or `{\"texts\": [...]}`. Each result gives the label (Positive, Negative or Neutral: the side " +
                "whose classes hold the most probability, so a polar label is always `/predict`'s), its probability, the model's own top label " +
                "and every sentiment class probability under the model's labels, and the tokens and windows the model read. " +
                "With `\"neutral_threshold\": 0.6`, texts whose score is below 0.6 are labelled `Neutral`; with `\"model\": NAME`, " +
                "a model other than the default answers (`GET /v1/models` lists them).");
        return group;
    }

    private static async Task<Results<Ok<SentimentResponse>, ProblemHttpResult>> Classify(HttpContext context, ModelRegistry models, IOptions<ServiceOptions> options)
    {
        var body = await RequestReader.ReadAsync(context.Request, options.Value, TextShape.OneOrMany);
        if (body.Problem is { } invalid) return invalid;
        using var lease = models.Lease(context, body.Model);
        if (lease.Problem is { } unavailable) return unavailable;
        var engine = lease.Engine;
        var (results, problem) = await Prediction.RunAsync(context, engine, body.Texts);
        if (problem is not null) return problem;

        var items = new SentimentItem[results.Length];
        for (int i = 0; i < results.Length; i++)
        {
            var r = results[i];
            var label = Prediction.LabelOf(r.Label, r.Score, body.NeutralThreshold);
            items[i] = new SentimentItem(label, r.Score, r.ModelLabel, Prediction.SentimentProbabilities(engine.Labels, r.Probabilities), r.Tokens, r.Windows);
        }
        return TypedResults.Ok(new SentimentResponse(engine.Info.Name, items));
    }
}
