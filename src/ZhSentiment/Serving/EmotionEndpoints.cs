using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ZhSentiment.Inference;

namespace ZhSentiment.Serving;

/// <summary><c>/v1/emotion</c>: which emotion each text carries, for models whose labels name emotions.</summary>
internal static class EmotionEndpoints
{
    public static RouteGroupBuilder MapEmotion(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("Emotion");
        group.MapPost("/emotion", Classify)
            .AcceptsJson<EmotionRequest>()
            .ProducesTextProblems()
            .WithName("Emotion")
            .WithSummary("The emotion of one or several texts, with every emotion class's score")
            .WithDescription(
                "Send `{\"text\": \"...\"}` or `{\"texts\": [...]}`. Each result gives the most probable emotion under its canonical name " +
                "(anger, disgust, fear, happiness, like, sadness, surprise, neutral), its score, the model's own label, and every emotion class " +
                "of the model: a distribution for softmax models, independent scores for multi-label ones. Example: " +
                "`{\"text\": \"排了两个小时的队还没上车，气死我了\"}` → `{\"model\": \"default\", \"results\": [{\"label\": \"anger\", \"score\": 0.81, " +
                "\"model_label\": \"anger\", \"emotions\": [{\"label\": \"anger\", \"model_label\": \"anger\", \"score\": 0.81}, …]}]}`. " +
                "A model without emotion labels answers 400; `\"model\": NAME` picks a model other than the default (`GET /v1/models` lists them and their tasks).");
        return group;
    }

    private static async Task<Results<Ok<EmotionResponse>, ProblemHttpResult>> Classify(HttpContext context, ModelRegistry models, IOptions<ServiceOptions> options)
    {
        var body = await RequestReader.ReadAsync(context.Request, options.Value, TextShape.OneOrMany);
        if (body.Problem is { } invalid) return invalid;
        using var lease = models.Lease(context, body.Model);
        if (lease.Problem is { } unavailable) return unavailable;
        var engine = lease.Engine;
        if (engine.Labels.EmotionHead is null) return TypedResults.Problem(engine.Labels.NoEmotions(engine.Info.Name), statusCode: StatusCodes.Status400BadRequest);
        var (results, problem) = await Prediction.RunAsync(context, engine, body.Texts);
        if (problem is not null) return problem;
        var items = new EmotionItem[results.Length];
        for (int i = 0; i < items.Length; i++) items[i] = ToItem(results[i]);
        return TypedResults.Ok(new EmotionResponse(engine.Info.Name, items));
    }

    /// <summary>The JSON of one text's emotions, as <c>/v1/emotion</c> and <c>zhsenti predict --json --emotion</c> write it.</summary>
    public static EmotionItem ToItem(SentimentResult result)
    {
        var scores = result.Labels.Emotions(result.Probabilities);
        var emotions = new EmotionScoreItem[scores.Length];
        for (int c = 0; c < emotions.Length; c++) emotions[c] = new EmotionScoreItem(scores[c].Label, scores[c].ModelLabel, scores[c].Score);
        return new EmotionItem(result.Emotion!, result.EmotionScore, result.Labels.ModelLabels[result.EmotionIndex], emotions);
    }
}
