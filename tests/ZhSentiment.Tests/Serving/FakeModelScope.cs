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
/// A ModelScope hub on a loopback port, imitating its file API: the recursive listing (Code/Data/Files with Path, Type,
/// Size, Sha256) and file downloads with Range support. Tests make it misbehave: cut a file short, lie about a size.
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

    /// <summary>Every request, as "PATH?QUERY" plus " Range: ..." when ranged.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<FakeModelScope> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hub = new FakeModelScope(app);
        app.MapGet("/api/v1/models/{owner}/{name}/repo/files", (HttpContext context, string owner, string name) =>
        {
            hub.Log(context);
            if (owner != Owner || name != Name)
                return Results.Json(new { Code = 10010205001, Message = "model not found", Success = false }, PascalCase, statusCode: 404);
            var files = hub.Files.Select(f => new
            {
                Name = Path.GetFileName(f.Key), Path = f.Key, Type = "blob",
                Size = hub.ListedSizes.TryGetValue(f.Key, out var size) ? size : f.Value.Length,
                Sha256 = hub.ListedSha256.TryGetValue(f.Key, out var sha) ? sha : Convert.ToHexStringLower(SHA256.HashData(f.Value)),
                Revision = "abc123",
            }).Append(new { Name = "resources", Path = "resources", Type = "tree", Size = 0L, Sha256 = "", Revision = "abc123" });
            return Results.Json(new { Code = 200, Data = new { Files = files }, Success = true }, PascalCase);
        });
        app.MapGet("/api/v1/models/{owner}/{name}/repo", async (HttpContext context, string owner, string name) =>
        {
            hub.Log(context);
            var path = context.Request.Query["FilePath"].ToString();
            if (owner != Owner || name != Name || !hub.Files.TryGetValue(path, out var bytes))
            {
                context.Response.StatusCode = 404;
                return;
            }
            int from = 0;
            if (context.Request.Headers.Range.ToString() is { Length: > 0 } range)
            {
                from = int.Parse(range["bytes=".Length..].TrimEnd('-'));
                context.Response.StatusCode = 206;
                context.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
            }
            var body = bytes.AsMemory(from);
            if (hub.CutOff.TryGetValue(path, out var cut) && cut.Times > 0)
            {
                hub.CutOff[path] = (cut.Times - 1, cut.AfterBytes);
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body[..Math.Min(cut.AfterBytes, body.Length)]);
                await context.Response.Body.FlushAsync();
                await Task.Delay(100); // let the client read what was sent: a reset discards data it has not read
                context.Abort();
                return;
            }
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        hub.Endpoint = new Uri(address);
        return hub;
    }

    private void Log(HttpContext context)
    {
        var range = context.Request.Headers.Range.ToString();
        Requests.Enqueue(context.Request.Path + context.Request.QueryString + (range.Length > 0 ? " Range: " + range : ""));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
