using Microsoft.AspNetCore.Http.HttpResults;

namespace ZhSentiment.Serving;

/// <summary>Probes: <c>/health</c> (the process is up) and <c>/ready</c> (every model is loaded and warmed up). Open without the API key.</summary>
internal static class HealthEndpoints
{
    public static readonly string[] OpenPaths = ["/health", "/ready"];

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Probes");
        group.MapGet("/health", () => TypedResults.Ok(new StatusResponse("ok")))
            .WithName("Health")
            .WithSummary("200 as soon as the process is up");
        group.MapGet("/ready", Ready)
            .WithName("Ready")
            .WithSummary("200 once every model is loaded and has answered a warm-up prediction; 503 with Retry-After before");
        return group;
    }

    private static Results<Ok<StatusResponse>, JsonHttpResult<StatusResponse>> Ready(HttpContext context, ModelRegistry models)
    {
        if (models.Ready) return TypedResults.Ok(new StatusResponse("ready"));
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Json(new StatusResponse("loading"), ServiceJsonContext.Default.StatusResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
