using System.Security.Cryptography;
using System.Text;
using ZhSentiment.Web;

namespace ZhSentiment.Serving;

/// <summary>
/// With an API key configured, requires <c>Authorization: Bearer KEY</c> on every route but the probes, the web
/// page's own files (the page asks for the key and sends it with its API calls) and the API reference (the OpenAPI
/// document and Scalar's page, which describe the routes and hold no data; the page links it). The key is
/// compared as a SHA-256 digest in constant time, so neither its content nor its length leaks through timing; it is
/// never logged.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, string apiKey)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var path = context.Request.Path;
        foreach (var open in HealthEndpoints.OpenPaths)
            if (path.Equals(open, StringComparison.OrdinalIgnoreCase)) return next(context);
        if (WebEndpoints.IsOpen(path) || IsApiReference(path)) return next(context);
        if (IsValid(context.Request.Headers.Authorization.ToString())) return next(context);

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

    private bool IsValid(string authorization)
    {
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()), given);
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }
}
