using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ZhSentiment.Models;

namespace ZhSentiment.Serving;

/// <summary>
/// <c>GET /v1/models</c>: the served models; and, with an admin key configured, the management route
/// <c>POST /v1/models/{name}/reload</c>, which only the admin key opens.
/// </summary>
internal static class ModelsEndpoints
{
    public static RouteGroupBuilder MapModels(this IEndpointRouteBuilder routes, ServiceOptions settings)
    {
        var group = routes.MapGroup("/v1/models").WithTags("Models");
        group.MapGet("", (ModelRegistry models, IOptions<ServiceOptions> options) => TypedResults.Ok(new ModelsResponse(Describe(models, options.Value))))
            .WithName("Models")
            .WithSummary("The served models, the default first: their names, kinds, labels, tasks and readiness");
        if (settings.AdminKey is { } key)
        {
            group.MapPost("/{name}/reload", Reload)
                .AcceptsJson<ReloadRequest>()
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .WithName("ReloadModel")
                .WithSummary("Replace a model without a lost request (admin key)")
                .WithDescription(
                    "Loads the model again, from `{\"source\": \"...\"}` when given (a folder, `modelscope:ORG/NAME[@REV]` or `default`; the " +
                    "model's source from then on), beside the serving instance; once the new one has answered its warm-up predictions, " +
                    "requests switch to it at once, and the old one is freed when the requests it holds are done. Answers the new model. " +
                    "A source that cannot be loaded answers 422 and leaves the old instance serving. Needs `Authorization: Bearer ADMIN_KEY`; " +
                    "the API key does not open it. A name with a `/` (a bare ModelScope model) is sent URL-encoded.")
                .AddEndpointFilter(new AdminKeyFilter(key))
                .WithMetadata(new RequiresAdminKey())
                // A load may download a model; it is not bound by the request timeout of predictions.
                .DisableRequestTimeout();
        }
        return group;
    }

    /// <summary>Every served model, as <c>/v1/models</c> and <c>/info</c> list them.</summary>
    public static ModelItem[] Describe(ModelRegistry models, ServiceOptions options) =>
        [.. models.Models.Select(m => Describe(m, m.Current, options))];

    private static ModelItem Describe(ServedModel model, LoadedModel? loaded, ServiceOptions options)
    {
        var labels = loaded?.Engine.Labels;
        return new ModelItem(model.Name, model.IsDefault, loaded?.Engine.Info.Architecture, [.. labels?.Names ?? []], [.. labels?.Tasks ?? []],
            loaded is not null, Source((loaded?.Spec ?? model.Spec).Source, revealPaths: options.ApiKey is not null));
    }

    /// <summary>What a model was loaded from; a folder only by its name unless the API is closed by a key, as the page shows no server paths.</summary>
    private static string Source(string? source, bool revealPaths) =>
        ModelSource.IsShipped(source) ? ModelReference.ShippedName
        : ModelScopeId.IsModelScope(source!) ? source!
        : revealPaths ? ModelReference.ForFolder(source!).Source : ModelReference.ForFolder(source!).Name;

    private static async Task<Results<Ok<ModelItem>, ProblemHttpResult>> Reload(string name, HttpContext context, ModelRegistry models, IOptions<ServiceOptions> options)
    {
        // A bare ModelScope model is named ORG/NAME: its slash arrives encoded, as routing leaves %2F alone.
        name = Uri.UnescapeDataString(name);
        if (models.Find(name) is not { } model) return models.Unknown(name);
        var body = await RequestReader.ReadReloadAsync(context.Request, options.Value);
        if (body.Problem is { } invalid) return invalid;
        try
        {
            var loaded = await models.ReloadAsync(model, body.Source, context.RequestAborted);
            return TypedResults.Ok(Describe(model, loaded, options.Value));
        }
        catch (ModelLoadException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (InvalidOperationException e)
        {
            return Prediction.Unavailable(context, e.Message, retryAfterSeconds: 5);
        }
    }
}
