using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace ZhSentiment.Models;

/// <summary>
/// Downloads a model's files from a ModelScope hub into a local cache, through the hub's HTTP file API:
/// <c>GET {hub}/api/v1/models/{ORG}/{NAME}/repo/files?Revision=R&amp;Recursive=true</c> lists the files (with sizes
/// and SHA-256), <c>GET {hub}/api/v1/models/{ORG}/{NAME}/repo?Revision=R&amp;FilePath=P</c> returns one.
/// </summary>
/// <remarks>
/// Files are written as <c>NAME.part</c>, resumed with a Range request after an interruption, checked against the
/// listed size and hash, then renamed into place; the model's folder appears under its final name only when every
/// file is there. A model already in the cache is served without asking the hub.
/// </remarks>
public sealed class ModelScopeClient(HttpClient http, Uri hub)
{
    private const int AttemptsPerFile = 3;

    // Relative URLs resolve below the hub's path only when it ends with a slash.
    private readonly Uri _hub = hub.AbsoluteUri.EndsWith('/') ? hub : new Uri(hub.AbsoluteUri + "/");

    /// <summary>Where <paramref name="id"/> lives in the cache: <c>CACHE/modelscope/ORG/NAME/REVISION</c>.</summary>
    /// <param name="cacheDirectory">The cache root; null means <c>$ZHSENTI_CACHE</c> or <c>~/.cache/zhsenti</c>.</param>
    public static string CacheFolder(ModelScopeId id, string? cacheDirectory)
    {
        var root = cacheDirectory;
        if (string.IsNullOrEmpty(root)) root = Environment.GetEnvironmentVariable("ZHSENTI_CACHE");
        if (string.IsNullOrEmpty(root)) root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "zhsenti");
        return Path.Combine(Path.GetFullPath(root), "modelscope", id.Owner, id.Name, id.Revision);
    }

    /// <summary>Returns the model's folder, downloading what the cache lacks.</summary>
    /// <param name="progress">Receives one line per file fetched.</param>
    /// <exception cref="ModelScopeException">The hub cannot be reached, does not have the model, or sends files that do not match its listing.</exception>
    public async Task<string> DownloadAsync(ModelScopeId id, string? cacheDirectory, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var folder = CacheFolder(id, cacheDirectory);
        if (Directory.Exists(folder)) return folder;

        var listingUrl = Url(id, $"repo/files?Revision={Uri.EscapeDataString(id.Revision)}&Recursive=true");
        var files = await ListAsync(id, listingUrl, folder, cancellationToken).ConfigureAwait(false);
        var partial = folder + ".partial";
        Directory.CreateDirectory(partial);
        foreach (var file in files)
        {
            var target = Path.GetFullPath(Path.Combine(partial, file.Path));
            if (!target.StartsWith(partial + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ModelScopeException($"{listingUrl} lists a file outside the model folder: '{file.Path}'.");
            if (File.Exists(target) && new FileInfo(target).Length == file.Size) continue;
            progress?.Invoke($"Downloading {id.RepoId}/{file.Path} ({file.Size:N0} bytes)");
            await DownloadFileAsync(id, file, target, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            Directory.Move(partial, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another process finished the same model first; its folder is as complete as ours.
        }
        return folder;
    }

    private Uri Url(ModelScopeId id, string pathAndQuery) =>
        new(_hub, $"api/v1/models/{Uri.EscapeDataString(id.Owner)}/{Uri.EscapeDataString(id.Name)}/{pathAndQuery}");

    private async Task<List<RepoFile>> ListAsync(ModelScopeId id, Uri url, string folder, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new ModelScopeException($"ModelScope has no model {id} (HTTP 404 from {url}). Check the name and revision on the model's page.");
            if (!response.IsSuccessStatusCode)
                throw new ModelScopeException($"{url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ModelScopeException(
                $"Cannot reach {url} ({e.Message}). Without network, copy the model's files (config.json, the vocabulary, the weights) " +
                $"into {folder} or into any folder and serve that with --model FOLDER.", e);
        }
        return ParseListing(id, url, body);
    }

    private static List<RepoFile> ParseListing(ModelScopeId id, Uri url, byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("Code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt64() != 200
                || root.TryGetProperty("Success", out var success) && success.ValueKind == JsonValueKind.False)
            {
                var message = root.TryGetProperty("Message", out var m) ? m.ToString() : "no message";
                throw new ModelScopeException($"ModelScope refused to list {id} ({url}): {message}");
            }
            var files = new List<RepoFile>();
            foreach (var f in root.GetProperty("Data").GetProperty("Files").EnumerateArray())
            {
                if (f.GetProperty("Type").GetString() != "blob") continue;
                var sha = f.TryGetProperty("Sha256", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                files.Add(new RepoFile(f.GetProperty("Path").GetString()!, f.GetProperty("Size").GetInt64(), string.IsNullOrEmpty(sha) ? null : sha));
            }
            if (files.Count == 0) throw new ModelScopeException($"ModelScope lists no files for {id} ({url}).");
            return files;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelScopeException($"{url} did not answer a ModelScope file listing ({e.Message}).", e);
        }
    }

    private async Task DownloadFileAsync(ModelScopeId id, RepoFile file, string target, CancellationToken cancellationToken)
    {
        var url = Url(id, $"repo?Revision={Uri.EscapeDataString(id.Revision)}&FilePath={Uri.EscapeDataString(file.Path)}");
        var part = target + ".part";
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await FetchAsync(url, file, part, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (attempt < AttemptsPerFile && e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // Interrupted: the next attempt resumes from what reached the disk.
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new ModelScopeException($"Downloading {url} failed ({e.Message}); run again to resume.", e);
            }
        }

        long length = new FileInfo(part).Length;
        if (length != file.Size)
        {
            File.Delete(part);
            throw new ModelScopeException($"{url} sent {length:N0} bytes but the listing says {file.Size:N0}; the partial file was removed, run again.");
        }
        if (file.Sha256 is not null)
        {
            byte[] hash;
            using (var stream = File.OpenRead(part)) hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            if (!Convert.ToHexString(hash).Equals(file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(part);
                throw new ModelScopeException($"{url} sent a file whose SHA-256 differs from the listing's; the partial file was removed, run again.");
            }
        }
        File.Move(part, target, overwrite: true);
    }

    /// <summary>Brings <paramref name="part"/> up to the file's size, resuming from its current length.</summary>
    private async Task FetchAsync(Uri url, RepoFile file, string part, CancellationToken cancellationToken)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (have > file.Size)
        {
            File.Delete(part);
            have = 0;
        }
        if (have == file.Size && have > 0) return;

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new ModelScopeException($"{url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
        // A server that ignores the Range header sends the whole file again.
        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        using var output = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        using var input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await input.CopyToAsync(output, 1 << 16, cancellationToken).ConfigureAwait(false);
    }

    private sealed record RepoFile(string Path, long Size, string? Sha256);

}
