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
            .WithName("Info")
            .WithSummary("The model being served, its labels and limits, and the versions of the engine");
        group.MapPost("/tokenize", Tokenize)
            .AcceptsJson<TextRequest>()
            .ProducesTextProblems()
            .WithName("Tokenize")
            .WithSummary("The tokens and ids the model reads for a text, special tokens included, before windowing");
        return group;
    }

    private static Results<Ok<InfoResponse>, ProblemHttpResult> Info(HttpContext context, ModelHost host, AspectPresets presets, IOptions<ServiceOptions> options)
    {
        if (host.Engine is not { } engine) return Prediction.Loading(context);
        var info = engine.Info;
        return TypedResults.Ok(new InfoResponse(
            info.Name, info.Source, info.Architecture,
            [.. engine.Labels.Names], [.. engine.Labels.ModelLabels],
            info.MaxSequenceLength, info.Quantization, ModelInfo.EngineVersion, ModelInfo.OnnxRuntimeVersion,
            options.Value.MaxTextChars, options.Value.MaxBatchTexts, engine.Labels.Mapping, engine.Labels.Source, host.Card.GoodFor, host.Card.Accuracy, presets.Describe(),
            [.. engine.Labels.Tasks], [.. engine.Labels.Emotions(new float[engine.Labels.Count]).Select(e => e.Label)]));
    }

    private static async Task<Results<Ok<TokenizeResponse>, ProblemHttpResult>> Tokenize(HttpContext context, ModelHost host, IOptions<ServiceOptions> options)
    {
        var body = await RequestReader.ReadAsync(context.Request, options.Value, TextShape.One);
        if (body.Problem is { } invalid) return invalid;
        if (host.Engine is not { } engine) return Prediction.Loading(context);
        var (tokens, ids) = engine.Tokenize(body.Texts[0]);
        return TypedResults.Ok(new TokenizeResponse([.. tokens], [.. ids]));
    }
}
