using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ZhSentiment.Models;

/// <summary>A file as the hub lists it.</summary>
internal sealed record RepoFile(string Path, long Size, string? Sha256);

/// <summary>
/// The HTTP side of ModelScope's file API, as its clients use it: <c>GET api/v1/models/ORG/NAME/revisions</c> (the
/// branches and tags), <c>.../repo/files?Revision=R&amp;Recursive=true</c> (the listing) and
/// <c>.../repo?Revision=R&amp;FilePath=P</c> (a file, often a redirect to object storage). Every request is retried
/// with backoff on network errors, stalls, 5xx and 429 (waiting what <c>Retry-After</c> asks); a transfer that stops
/// sending for <see cref="ModelScopeSettings.ReadTimeout"/> is dropped and resumed with <c>Range</c>.
/// </summary>
internal sealed class ModelScopeHub(HttpClient http, ModelScopeSettings settings, Action<DownloadEvent> report)
{
    private const int MaxRedirects = 5;

    // Relative URLs resolve below the hub's path only when it ends with a slash.
    private readonly Uri _hub = settings.Endpoint.AbsoluteUri.EndsWith('/') ? settings.Endpoint : new Uri(settings.Endpoint.AbsoluteUri + "/");

    /// <summary>The tags and branches of the model, tags newest first as the hub orders them.</summary>
    public async Task<(List<string> Tags, List<string> Branches)> RevisionsAsync(ModelScopeId id, CancellationToken cancellationToken)
    {
        var url = ModelUrl(id, "revisions");
        var data = await GetDataAsync(id, url, $"listing the revisions of {id}", cancellationToken);
        var map = data is { ValueKind: JsonValueKind.Object } && data.Value.TryGetProperty("RevisionMap", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return (Names(map, "Tags"), Names(map, "Branches"));

        static List<string> Names(JsonElement map, string kind) =>
            map.ValueKind == JsonValueKind.Object && map.TryGetProperty(kind, out var list) && list.ValueKind == JsonValueKind.Array
                ? [.. list.EnumerateArray().Select(r => r.TryGetProperty("Revision", out var name) ? name.GetString() : null).OfType<string>()]
                : [];
    }

    /// <summary>The files of the revision; git's own files (<c>.gitattributes</c>, <c>.gitignore</c>) are left out, as ModelScope's client leaves them.</summary>
    public async Task<List<RepoFile>> FilesAsync(ModelScopeId id, CancellationToken cancellationToken)
    {
        var url = ModelUrl(id, $"repo/files?Revision={Uri.EscapeDataString(id.Revision)}&Recursive=true");
        var data = await GetDataAsync(id, url, $"listing the files of {id}", cancellationToken);
        var files = new List<RepoFile>();
        // The hub answers an unknown revision with "Files": null.
        if (data is not { ValueKind: JsonValueKind.Object } || !data.Value.TryGetProperty("Files", out var list) || list.ValueKind != JsonValueKind.Array)
            return files;
        try
        {
            foreach (var f in list.EnumerateArray())
            {
                if (f.GetProperty("Type").GetString() != "blob") continue;
                var path = f.GetProperty("Path").GetString()!;
                if (System.IO.Path.GetFileName(path) is ".gitattributes" or ".gitignore") continue;
                var sha = f.TryGetProperty("Sha256", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                files.Add(new RepoFile(path, f.GetProperty("Size").GetInt64(), string.IsNullOrEmpty(sha) ? null : sha));
            }
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelScopeException($"{url} did not answer a ModelScope file listing ({e.Message}).", e);
        }
        return files;
    }

    public Uri FileUrl(ModelScopeId id, string path) =>
        ModelUrl(id, $"repo?Revision={Uri.EscapeDataString(id.Revision)}&FilePath={Uri.EscapeDataString(path)}");

    /// <summary>The model's page on the hub, where its revisions and access are shown.</summary>
    public Uri Page(ModelScopeId id) => new(_hub, $"models/{Uri.EscapeDataString(id.Owner)}/{Uri.EscapeDataString(id.Name)}");

    /// <summary>
    /// Brings <paramref name="part"/> up to the file's listed size, resuming from what is on disk. The bytes are not
    /// checked here: the caller checks size and hash of the finished file.
    /// </summary>
    public Task FetchAsync(ModelScopeId id, RepoFile file, string part, CancellationToken cancellationToken)
    {
        var url = FileUrl(id, file.Path);
        return RetryAsync($"{id.RepoId}/{file.Path}", async () =>
        {
            long have = File.Exists(part) ? new FileInfo(part).Length : 0;
            if (have > file.Size)
            {
                File.Delete(part);
                have = 0;
            }
            if (have == file.Size)
            {
                if (have == 0) File.Create(part).Dispose();
                return true;
            }
            report(new DownloadEvent(DownloadStage.Started, have > 0 ? $"Downloading {id.RepoId}/{file.Path} ({file.Size:N0} bytes, resuming at {have:N0})" : $"Downloading {id.RepoId}/{file.Path} ({file.Size:N0} bytes)", file.Path, have, file.Size));
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var response = await GetAsync(url, have, stall, cancellationToken);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // What is on disk does not fit the file the hub now has: start it over.
                File.Delete(part);
                report(new DownloadEvent(DownloadStage.Progressed, "", file.Path, -have));
                throw new TransientException($"HTTP 416 for bytes {have:N0}- of a {file.Size:N0}-byte file; starting it over", progressed: true);
            }
            if (!response.IsSuccessStatusCode) throw await RefusedAsync(id, url, response, $"{file.Path} is listed but not served", stall.Token);
            // A server that ignores Range sends the whole file again.
            bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (!append && have > 0)
            {
                report(new DownloadEvent(DownloadStage.Progressed, "", file.Path, -have));
                have = 0;
            }
            long? end = response.Content.Headers.ContentLength is { } length ? have + length : null;
            await using var output = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using var input = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[1 << 16];
            bool progressed = false;
            while (true)
            {
                int read;
                stall.CancelAfter(settings.ReadTimeout);
                try
                {
                    read = await input.ReadAsync(buffer, stall.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TransientException($"no data for {settings.ReadTimeout.TotalSeconds:0.#} s after {have:N0} of {file.Size:N0} bytes", progressed: progressed);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new TransientException($"the transfer broke off after {have:N0} of {file.Size:N0} bytes ({e.Message})", progressed: progressed);
                }
                if (read == 0) break;
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                have += read;
                progressed = true;
                report(new DownloadEvent(DownloadStage.Progressed, "", file.Path, read));
                if (have > file.Size) break;
            }
            // The answer ended where its Content-Length said: the hub's file has another size than its listing.
            if (have > file.Size || have < file.Size && end == have)
            {
                output.Close();
                File.Delete(part);
                throw new ModelScopeException($"{url} sent {have:N0} bytes but the listing says {file.Size:N0}; the partial file was removed, run again.");
            }
            if (have < file.Size) throw new TransientException($"the transfer ended after {have:N0} of {file.Size:N0} bytes", progressed: progressed);
            return true;
        }, cancellationToken);
    }

    private Uri ModelUrl(ModelScopeId id, string pathAndQuery) =>
        new(_hub, $"api/v1/models/{Uri.EscapeDataString(id.Owner)}/{Uri.EscapeDataString(id.Name)}/{pathAndQuery}");

    /// <summary>The <c>Data</c> of a JSON answer, after checking its <c>Code</c> (ModelScope answers some errors 200 with another Code).</summary>
    private Task<JsonElement?> GetDataAsync(ModelScopeId id, Uri url, string what, CancellationToken cancellationToken) =>
        RetryAsync(what, async () =>
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var response = await GetAsync(url, 0, stall, cancellationToken);
            if (!response.IsSuccessStatusCode) throw await RefusedAsync(id, url, response, null, stall.Token);
            var body = await ReadAsync(response, stall, cancellationToken);
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.TryGetProperty("Code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt64() != 200
                    || root.TryGetProperty("Success", out var success) && success.ValueKind == JsonValueKind.False)
                    throw new ModelScopeException($"ModelScope refused {what} ({url}): {HubMessage(root) ?? "no message"}");
                return root.TryGetProperty("Data", out var data) ? data.Clone() : (JsonElement?)null;
            }
            catch (JsonException e)
            {
                throw new ModelScopeException($"{url} did not answer ModelScope's JSON ({e.Message}); is ZhSentiment:ModelScopeEndpoint (or MODELSCOPE_DOMAIN) a ModelScope hub?", e);
            }
        }, cancellationToken);

    /// <summary>
    /// Sends a GET, following redirects itself so that the token goes to the hub only, never to the object storage
    /// a file redirects to. Answers 5xx and 429 become <see cref="TransientException"/>; other answers are returned.
    /// </summary>
    private async Task<HttpResponseMessage> GetAsync(Uri url, long from, CancellationTokenSource stall, CancellationToken cancellationToken)
    {
        for (int redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
            if (settings.Token is { } token && Uri.Compare(url, _hub, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                // The hub's older API reads the token from the session cookie, its newer one from the header; its clients send both.
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.TryAddWithoutValidation("Cookie", $"m_session_id={token}");
            }
            HttpResponseMessage response;
            stall.CancelAfter(settings.ReadTimeout);
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
            }
            catch (HttpRequestException e)
            {
                throw new TransientException($"cannot reach {url.GetLeftPart(UriPartial.Authority)} ({e.Message})");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TransientException($"no answer from {url.GetLeftPart(UriPartial.Authority)} in {settings.ReadTimeout.TotalSeconds:0.#} s");
            }
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location && redirects < MaxRedirects)
            {
                url = new Uri(url, location);
                response.Dispose();
                continue;
            }
            if (status is 429 or >= 500)
            {
                using (response)
                {
                    var message = await HubMessageAsync(response, stall.Token);
                    throw new TransientException($"HTTP {status} {response.ReasonPhrase}{(message is null ? "" : $": {message}")}", RetryAfter(response));
                }
            }
            return response;
        }
    }

    /// <summary>The one-line error for an answer that is final: 404, 401/403, or another refusal, with the hub's own Message.</summary>
    private async Task<ModelScopeException> RefusedAsync(ModelScopeId id, Uri url, HttpResponseMessage response, string? fileProblem, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        var message = await HubMessageAsync(response, cancellationToken);
        var said = message is null ? "" : $": {message}";
        return status switch
        {
            404 when fileProblem is not null => new($"{url} answered HTTP 404{said}: {fileProblem}; run again later."),
            404 => new($"ModelScope says {id} does not exist (HTTP 404 from {url}{said}); check the name on {Page(id)}."),
            401 or 403 when settings.Token is null => new(
                $"ModelScope refused {id} (HTTP {status} from {url}{said}): it may be private or gated; set MODELSCOPE_API_TOKEN to an access token " +
                $"(from {new Uri(_hub, "my/myaccesstoken")}) of an account that may read it."),
            401 or 403 => new($"ModelScope refused {id} with the token in MODELSCOPE_API_TOKEN (HTTP {status} from {url}{said}): the token is wrong or expired, or its account may not read this model."),
            _ => new($"{url} answered HTTP {status} {response.ReasonPhrase}{said}."),
        };
    }

    /// <summary>The <c>Message</c> of a JSON error body, if it has one.</summary>
    private static async Task<string?> HubMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            using var doc = JsonDocument.Parse(body);
            return HubMessage(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private static string? HubMessage(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text
            ? text.ReplaceLineEndings(" ")
            : null;

    private async Task<byte[]> ReadAsync(HttpResponseMessage response, CancellationTokenSource stall, CancellationToken cancellationToken)
    {
        stall.CancelAfter(settings.ReadTimeout);
        try
        {
            return await response.Content.ReadAsByteArrayAsync(stall.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientException($"no data for {settings.ReadTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new TransientException($"the answer broke off ({e.Message})");
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds or has failed <see cref="ModelScopeSettings.Attempts"/> times in
    /// a row; a failure after some progress (bytes arrived) starts the count again, so a slow but moving transfer finishes.
    /// </summary>
    private async Task<T> RetryAsync<T>(string what, Func<Task<T>> attempt, CancellationToken cancellationToken)
    {
        int failures = 0;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (TransientException e)
            {
                failures = e.Progressed ? 1 : failures + 1;
                if (failures >= settings.Attempts)
                    throw new ModelScopeException($"{what} failed {failures} times in a row, last with {e.Message}; run again later, what was downloaded is kept.", e) { HubUnreachable = true };
                var delay = e.RetryAfter ?? TimeSpan.FromTicks(Math.Min(settings.MaxRetryDelay.Ticks, settings.FirstRetryDelay.Ticks << Math.Min(failures - 1, 20)));
                report(new DownloadEvent(DownloadStage.Retrying, $"{what}: {e.Message}; retrying in {delay.TotalSeconds:0.#} s ({failures} of {settings.Attempts} tries failed)"));
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>A failure worth another try: the network, a stall, 5xx or 429.</summary>
    private sealed class TransientException(string message, TimeSpan? retryAfter = null, bool progressed = false) : Exception(message)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
        public bool Progressed { get; } = progressed;
    }
}
