using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ZhSentiment.Inference;

namespace ZhSentiment.Serving;

/// <summary>What is served (<c>/info</c>) and how it reads a text (<c>/tokenize</c>).</summary>
internal static class InfoEndpoints
{
    public static RouteGroupBuilder MapInfo(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Model");
        group.MapGet("/info", Info)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("Info")
            .WithSummary("The default model (or `?model=NAME`), its labels and limits, the versions of the engine, and every served model");
        group.MapPost("/tokenize", Tokenize)
            .AcceptsJson<TextRequest>()
            .ProducesTextProblems()
            .WithName("Tokenize")
            .WithSummary("The tokens and ids the model reads for a text, special tokens included, before windowing");
        return group;
    }

    private static Results<Ok<InfoResponse>, ProblemHttpResult> Info(HttpContext context, ModelRegistry models, AspectPresets presets, IOptions<ServiceOptions> options, string? model = null)
    {
        using var lease = models.Lease(context, model);
        if (lease.Problem is { } unavailable) return unavailable;
        var engine = lease.Engine;
        var info = engine.Info;
        return TypedResults.Ok(new InfoResponse(
            info.Name, info.Source, info.Architecture,
            [.. engine.Labels.Names], [.. engine.Labels.ModelLabels],
            info.MaxSequenceLength, info.Quantization, info.Int8Weights, ModelInfo.EngineVersion, ModelInfo.OnnxRuntimeVersion,
            options.Value.MaxTextChars, options.Value.MaxBatchTexts, engine.Labels.Mapping, engine.Labels.Source, lease.Model!.Card.GoodFor, lease.Model.Card.Accuracy, presets.Describe(),
            [.. engine.Labels.Tasks], [.. engine.Labels.Emotions(new float[engine.Labels.Count]).Select(e => e.Label)], ModelsEndpoints.Describe(models, options.Value)));
    }

    private static async Task<Results<Ok<TokenizeResponse>, ProblemHttpResult>> Tokenize(HttpContext context, ModelRegistry models, IOptions<ServiceOptions> options)
    {
        var body = await RequestReader.ReadAsync(context.Request, options.Value, TextShape.One);
        if (body.Problem is { } invalid) return invalid;
        using var lease = models.Lease(context, body.Model);
        if (lease.Problem is { } unavailable) return unavailable;
        var (tokens, ids) = lease.Engine.Tokenize(body.Texts[0]);
        return TypedResults.Ok(new TokenizeResponse([.. tokens], [.. ids]));
    }
}
