using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;
using ZhSentiment.Data;

namespace ZhSentiment.Web;

/// <summary>
/// The page at <c>/</c> and its script, style sheet and icon, embedded in the assembly and served from memory. They
/// load without the API key (the page asks for it and sends it with its API calls) and under a policy that allows
/// nothing but this origin.
/// </summary>
internal static class WebEndpoints
{
    private const string ResourcePrefix = "web/";

    private const string ContentSecurityPolicy =
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Where app.js takes the column names of the text-column rule, so the page and the verbs share one list.</summary>
    private const string TextColumnNames = "[/* TextColumn.UsualNames */]";

    private static readonly FrozenDictionary<string, Asset> Assets = LoadAssets();

    /// <summary>Whether <paramref name="path"/> is one of the page's own files, which need no API key.</summary>
    public static bool IsOpen(PathString path) => path.Value is { } value && Assets.ContainsKey(value);

    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder routes)
    {
        foreach (var (path, asset) in Assets)
            routes.MapMethods(path, Methods, (HttpContext context) => Serve(context, asset)).ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext context, Asset asset)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(WebEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            var content = new byte[stream.Length];
            stream.ReadExactly(content);
            var file = name[ResourcePrefix.Length..];
            if (file == "app.js") content = WithTextColumnNames(content);
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8))}\"").ToString();
            var asset = new Asset(content, ContentTypeOf(file), etag);
            assets[file == "index.html" ? "/" : "/web/" + file] = asset;
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] WithTextColumnNames(byte[] script)
    {
        var text = Encoding.UTF8.GetString(script);
        if (!text.Contains(TextColumnNames, StringComparison.Ordinal)) throw new InvalidOperationException($"app.js lacks {TextColumnNames}.");
        return Encoding.UTF8.GetBytes(text.Replace(TextColumnNames, JsonSerializer.Serialize(TextColumn.UsualNames, TextColumnJson.Default.IReadOnlyListString), StringComparison.Ordinal));
    }

    private static string ContentTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        var other => throw new InvalidOperationException($"No content type for embedded web asset '{file}' ({other})."),
    };

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}

[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class TextColumnJson : JsonSerializerContext;
