using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// A ModelScope hub on a loopback port, answering as the live hub does: the revisions (Data.RevisionMap with Branches
/// and Tags), the recursive listing (Code/Data/Files with Path, Type, Size, Sha256, git's own files included; an
/// unknown revision gets 200 with "Files": null), and file downloads with Range support, optionally through a 302 to
/// "object storage" on another host name. Tests make it misbehave: cut a file short, stall it, lie about a size,
/// answer 503/429, keep the model private.
/// </summary>
internal sealed class FakeModelScope : IAsyncDisposable
{
    public const string Owner = "damo", Name = "sentiment-test";

    private static readonly JsonSerializerOptions PascalCase = new();

    private readonly WebApplication _app;

    private FakeModelScope(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The model's files by path.</summary>
    public Dictionary<string, byte[]> Files { get; } = new()
    {
        ["config.json"] = """{"id2label": {"0": "负面", "1": "正面"}}"""u8.ToArray(),
        ["vocab.txt"] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n好\n"u8.ToArray(),
        ["weights.bin"] = RandomNumberGenerator.GetBytes(300_000),
        ["resources/notes.txt"] = "nested"u8.ToArray(),
    };

    /// <summary>Sizes the listing claims instead of the true ones.</summary>
    public Dictionary<string, long> ListedSizes { get; } = [];

    /// <summary>Hashes the listing claims instead of the true ones.</summary>
    public Dictionary<string, string> ListedSha256 { get; } = [];

    /// <summary>How many of the next downloads of a file are cut off after this many bytes.</summary>
    public ConcurrentDictionary<string, (int Times, int AfterBytes)> CutOff { get; } = new();

    /// <summary>How many of the next downloads of a file send this many bytes and then nothing, holding the connection open.</summary>
    public ConcurrentDictionary<string, (int Times, int AfterBytes)> Stall { get; } = new();

    /// <summary>Answers given instead of the real one to the next requests whose path ends with the key (e.g. "repo/files", "revisions", "repo"), in order.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<(int Status, string? RetryAfter)>> Faults { get; } = new();

    /// <summary>The branches and tags the model has.</summary>
    public List<string> Branches { get; } = ["master"];
    public List<string> Tags { get; } = ["v1.0.1", "v1.0.0"];

    /// <summary>Revisions whose listing is "Files": null, as the live hub answers a revision it has no files for.</summary>
    public HashSet<string> WithoutFiles { get; } = [];

    /// <summary>When set, the model is private: requests without this token (as Bearer or m_session_id cookie) get 403.</summary>
    public string? Token { get; set; }

    /// <summary>Files are served by a 302 to /oss/... on "localhost" rather than 127.0.0.1, as the hub redirects to object storage.</summary>
    public bool Redirect { get; set; }

    /// <summary>Every request, as "PATH?QUERY" plus " Range: ..." when ranged.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The Authorization and Cookie headers of every request, by "PATH?QUERY".</summary>
    public ConcurrentQueue<(string Request, string Authorization, string Cookie)> Credentials { get; } = new();

    public void Fail(string pathEnd, int status, int times = 1, string? retryAfter = null)
    {
        var queue = Faults.GetOrAdd(pathEnd, _ => new());
        for (int i = 0; i < times; i++) queue.Enqueue((status, retryAfter));
    }

    /// <summary>The fault or refusal to answer instead, or null to answer normally.</summary>
    private IResult? Refuse(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        foreach (var (end, queue) in Faults)
        {
            if (path.EndsWith("/" + end, StringComparison.Ordinal) && queue.TryDequeue(out var fault))
            {
                if (fault.RetryAfter is { } after) context.Response.Headers.RetryAfter = after;
                return Results.Json(new { Code = fault.Status, Message = $"fault {fault.Status}", Success = false }, PascalCase, statusCode: fault.Status);
            }
        }
        if (Token is { } token && context.Request.Headers.Authorization.ToString() != $"Bearer {token}" && !context.Request.Headers.Cookie.ToString().Contains($"m_session_id={token}"))
            return Results.Json(new { Code = 10010205003, Message = "no permission to access this model", Success = false }, PascalCase, statusCode: 403);
        return null;
    }

    public static async Task<FakeModelScope> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hub = new FakeModelScope(app);
        app.MapGet("/api/v1/models/{owner}/{name}/revisions", (HttpContext context, string owner, string name) =>
        {
            hub.Log(context);
            if (owner != Owner || name != Name)
                return Results.Json(new { Code = 10010205001, Message = "model not found", Success = false }, PascalCase, statusCode: 404);
            if (hub.Refuse(context) is { } refused) return refused;
            object Revisions(List<string> names) => names.Select(r => new { Revision = r, CreatedAt = 1_700_000_000 }).ToArray();
            return Results.Json(new { Code = 200, Data = new { RevisionMap = new { Branches = Revisions(hub.Branches), Tags = Revisions(hub.Tags) } }, Success = true }, PascalCase);
        });
        app.MapGet("/api/v1/models/{owner}/{name}/repo/files", (HttpContext context, string owner, string name) =>
        {
            hub.Log(context);
            if (owner != Owner || name != Name)
                return Results.Json(new { Code = 10010205001, Message = "model not found", Success = false }, PascalCase, statusCode: 404);
            if (hub.Refuse(context) is { } refused) return refused;
            var revision = context.Request.Query["Revision"].ToString();
            if (!hub.Branches.Contains(revision) && !hub.Tags.Contains(revision) || hub.WithoutFiles.Contains(revision))
                return Results.Json(new { Code = 200, Data = new { Files = (object?)null }, Success = true }, PascalCase);
            var files = hub.Files.Select(f => new
            {
                Name = Path.GetFileName(f.Key), Path = f.Key, Type = "blob",
                Size = hub.ListedSizes.TryGetValue(f.Key, out var size) ? size : f.Value.Length,
                Sha256 = hub.ListedSha256.TryGetValue(f.Key, out var sha) ? sha : Convert.ToHexStringLower(SHA256.HashData(f.Value)),
                Revision = "abc123",
            })
            .Append(new { Name = ".gitattributes", Path = ".gitattributes", Type = "blob", Size = 9L, Sha256 = Convert.ToHexStringLower(SHA256.HashData("*.bin lfs"u8)), Revision = "abc123" })
            .Append(new { Name = "resources", Path = "resources", Type = "tree", Size = 0L, Sha256 = "", Revision = "abc123" });
            return Results.Json(new { Code = 200, Data = new { Files = files }, Success = true }, PascalCase);
        });
        app.MapGet("/api/v1/models/{owner}/{name}/repo", async (HttpContext context, string owner, string name) =>
        {
            hub.Log(context);
            var path = context.Request.Query["FilePath"].ToString();
            if (owner != Owner || name != Name || !hub.Files.ContainsKey(path))
            {
                context.Response.StatusCode = 404;
                return;
            }
            if (hub.Refuse(context) is { } refused)
            {
                await refused.ExecuteAsync(context);
                return;
            }
            if (hub.Redirect)
            {
                context.Response.Redirect($"http://localhost:{context.Request.Host.Port}/oss/{Uri.EscapeDataString(path)}");
                return;
            }
            await hub.SendFileAsync(context, path);
        });
        app.MapGet("/oss/{*path}", async (HttpContext context, string path) =>
        {
            hub.Log(context);
            await hub.SendFileAsync(context, Uri.UnescapeDataString(path));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        hub.Endpoint = new Uri(address);
        return hub;
    }

    private async Task SendFileAsync(HttpContext context, string path)
    {
        var bytes = Files[path];
        int from = 0;
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            from = int.Parse(range["bytes=".Length..].TrimEnd('-'));
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        }
        var body = bytes.AsMemory(from);
        if (CutOff.TryGetValue(path, out var cut) && cut.Times > 0)
        {
            CutOff[path] = (cut.Times - 1, cut.AfterBytes);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body[..Math.Min(cut.AfterBytes, body.Length)]);
            await context.Response.Body.FlushAsync();
            await Task.Delay(100); // let the client read what was sent: a reset discards data it has not read
            context.Abort();
            return;
        }
        if (Stall.TryGetValue(path, out var stall) && stall.Times > 0)
        {
            Stall[path] = (stall.Times - 1, stall.AfterBytes);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body[..Math.Min(stall.AfterBytes, body.Length)]);
            await context.Response.Body.FlushAsync();
            // Hold the connection open, sending nothing, until the client gives up on it.
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            return;
        }
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }

    private void Log(HttpContext context)
    {
        var range = context.Request.Headers.Range.ToString();
        Requests.Enqueue(context.Request.Path + context.Request.QueryString + (range.Length > 0 ? " Range: " + range : ""));
        Credentials.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.ToString(), context.Request.Headers.Cookie.ToString()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
