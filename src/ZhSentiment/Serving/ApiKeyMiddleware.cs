using System.Security.Cryptography;
using System.Text;
using ZhSentiment.Web;

namespace ZhSentiment.Serving;

/// <summary>
/// With an API key configured, requires <c>Authorization: Bearer KEY</c> on every route but the probes, the web
/// page's own files (the page asks for the key and sends it with its API calls) and the API reference (the OpenAPI
/// document and Scalar's page, which describe the routes and hold no data; the page links it) and the management
/// routes, which take the admin key instead. The key is compared as a <see cref="BearerKey"/>; it is never logged.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, string apiKey)
{
    private readonly BearerKey _key = new(apiKey);

    public Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var path = context.Request.Path;
        foreach (var open in HealthEndpoints.OpenPaths)
            if (path.Equals(open, StringComparison.OrdinalIgnoreCase)) return next(context);
        if (WebEndpoints.IsOpen(path) || IsApiReference(path)) return next(context);
        // The management routes take the admin key, in the same header; their filter checks it.
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresAdminKey>() is not null) return next(context);
        if (_key.Matches(context.Request)) return next(context);

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Detail = "Send the API key as Authorization: Bearer KEY." },
        }).AsTask();
    }

    private static bool IsApiReference(PathString path) =>
        path.Equals("/openapi/v1.json", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/scalar", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Marks a management route: the admin key opens it, the API key does not.</summary>
internal sealed class RequiresAdminKey;

/// <summary>Answers 401 to requests to a management route without <c>Authorization: Bearer ADMIN_KEY</c>.</summary>
internal sealed class AdminKeyFilter(string adminKey) : IEndpointFilter
{
    private readonly BearerKey _key = new(adminKey);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_key.Matches(context.HttpContext.Request)) return next(context);
        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ValueTask.FromResult<object?>(TypedResults.Problem("Send the admin key as Authorization: Bearer KEY.", statusCode: StatusCodes.Status401Unauthorized));
    }
}

/// <summary>
/// A key sent as <c>Authorization: Bearer KEY</c>, compared as a SHA-256 digest in constant time, so neither its
/// content nor its length leaks through timing.
/// </summary>
internal sealed class BearerKey(string key)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(HttpRequest request)
    {
        const string scheme = "Bearer ";
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()), given);
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }
}
