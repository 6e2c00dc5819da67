using System.Security.Cryptography;
using System.Text.Json;

namespace ZhSentiment.Models;

/// <summary>
/// Fetches a ModelScope model into our cache (<see cref="ModelScopeSettings.CacheFolder"/>) and keeps it current.
/// </summary>
/// <remarks>
/// The revision is checked against the model's branches and tags, as ModelScope's client checks it, then the listing
/// is compared with the one the cached folder was made from (<see cref="ListingFile"/>): when they agree the folder is
/// used as it is. Otherwise the folder is rebuilt in <c>FOLDER.partial</c>: each file is taken from a copy already on
/// disk (the partial folder itself, the previous download, ModelScope's own cache) when it has the listed size and
/// SHA-256, else downloaded (as <c>NAME.part</c>, resumed with Range) and checked the same way; the folder then
/// replaces the old one whole. When the hub cannot be reached, or with <see cref="ModelScopeSettings.Offline"/>, a
/// model already on disk is used with a warning.
/// </remarks>
public sealed class ModelScopeClient(HttpClient http, ModelScopeSettings settings)
{
    /// <summary>Written into a finished folder: the listing its files were checked against.</summary>
    public const string ListingFile = ".modelscope-listing.json";

    /// <summary>
    /// An HttpClient for the hub: redirects are followed by the client itself (so the token stays with the hub), no
    /// cookies are kept, connecting fails after 10 s, and there is no overall timeout (a model's weights take long;
    /// <see cref="ModelScopeSettings.ReadTimeout"/> catches stalls).
    /// </summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestHeaders = { { "User-Agent", $"zhsenti/{typeof(ModelScopeClient).Assembly.GetName().Version?.ToString(3)}" } },
        };

    /// <summary>Returns the model's folder, downloading what the cache lacks.</summary>
    /// <param name="report">Receives what the download does, for a progress bar or a log.</param>
    /// <exception cref="ModelScopeException">The hub does not have the model or the revision, refuses it, cannot be reached with nothing on disk, or sends files that do not match its listing.</exception>
    public async Task<string> DownloadAsync(ModelScopeId id, Action<DownloadEvent>? report = null, CancellationToken cancellationToken = default)
    {
        report ??= _ => { };
        var folder = settings.CacheFolder(id);
        if (settings.Offline)
            return OnDisk(id, folder, "downloads are off (--offline or ZHSENTI_OFFLINE)", report)
                ?? throw new ModelScopeException($"{id} is neither in the cache ({folder}) nor in ModelScope's, and downloads are off (--offline or ZHSENTI_OFFLINE); " +
                    $"run `zhsenti download {id}` where there is network and copy the folder it prints to {folder}.");

        // With a copy on disk, one try at the hub is enough: a hub that does not answer at once should not hold up a start.
        bool onDisk = Directory.Exists(folder) || settings.ModelScopeFolders(id).Any(IsModelFolder);
        var hub = new ModelScopeHub(http, onDisk ? settings with { Attempts = 1 } : settings, report);
        List<RepoFile> files;
        try
        {
            await CheckRevisionAsync(hub, id, cancellationToken);
            files = await hub.FilesAsync(id, cancellationToken);
        }
        catch (ModelScopeException e) when (e.HubUnreachable && OnDisk(id, folder, $"cannot ask the hub ({e.Message})", report) is { } cached)
        {
            return cached;
        }
        catch (ModelScopeException e) when (e.HubUnreachable)
        {
            throw new ModelScopeException(
                $"{e.Message} Without network, copy the model's files (config.json, the vocabulary, the weights) into {folder}, " +
                "or into any folder and pass that with --model FOLDER.", e) { HubUnreachable = true };
        }
        if (files.Count == 0) throw new ModelScopeException($"ModelScope lists no files for {id}.");

        if (SameListing(ReadListing(folder), files)) return folder;
        hub = new ModelScopeHub(http, settings, report);
        await BuildAsync(hub, id, files, folder, report, cancellationToken);
        report(new DownloadEvent(DownloadStage.Finished, $"{id} is in {folder}"));
        return folder;
    }

    /// <summary>Refuses a revision that is neither a branch nor a tag, as ModelScope's client does, naming those that exist.</summary>
    private static async Task CheckRevisionAsync(ModelScopeHub hub, ModelScopeId id, CancellationToken cancellationToken)
    {
        var (tags, branches) = await hub.RevisionsAsync(id, cancellationToken);
        if (tags.Contains(id.Revision) || branches.Contains(id.Revision)) return;
        var known = tags.Concat(branches).ToList();
        throw new ModelScopeException(known.Count == 0
            ? $"{ModelScopeId.Scheme}{id.RepoId} has no revision '{id.Revision}': the hub lists none ({hub.Page(id)})."
            : $"{ModelScopeId.Scheme}{id.RepoId} has no revision '{id.Revision}'; it has {string.Join(", ", known)}.");
    }

    private async Task BuildAsync(ModelScopeHub hub, ModelScopeId id, List<RepoFile> files, string folder, Action<DownloadEvent> report, CancellationToken cancellationToken)
    {
        var partial = folder + ".partial";
        Directory.CreateDirectory(partial);
        var targets = new Dictionary<RepoFile, string>();
        foreach (var file in files)
        {
            var target = Path.GetFullPath(Path.Combine(partial, file.Path));
            if (!target.StartsWith(partial + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ModelScopeException($"ModelScope lists a file outside the model folder for {id}: '{file.Path}'.");
            targets[file] = target;
        }

        string[] elsewhere = [folder, .. settings.ModelScopeFolders(id)];
        var missing = new List<RepoFile>();
        foreach (var file in files)
        {
            var target = targets[file];
            if (await MatchesAsync(target, file, cancellationToken)) continue;
            if (await FindCopyAsync(file, elsewhere, cancellationToken) is { } copy)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(copy, target, overwrite: true);
                report(new DownloadEvent(DownloadStage.Reused, $"{id.RepoId}/{file.Path}: reused from {Path.GetDirectoryName(copy)}", file.Path));
                continue;
            }
            if (File.Exists(target)) File.Delete(target);
            missing.Add(file);
        }

        if (missing.Count > 0)
            report(new DownloadEvent(DownloadStage.Planned, $"{id}: {missing.Count} of {files.Count} files to download, {missing.Sum(f => f.Size):N0} bytes", Total: missing.Sum(f => f.Size)));
        foreach (var file in missing)
            await DownloadFileAsync(hub, id, file, targets[file], cancellationToken);

        // Files of an earlier listing (another revision of a moving branch) must not stay in the new folder.
        var listed = targets.Values.ToHashSet();
        foreach (var stray in Directory.EnumerateFiles(partial, "*", SearchOption.AllDirectories).Where(f => !listed.Contains(f)))
            File.Delete(stray);
        WriteListing(partial, files);
        Replace(partial, folder);
    }

    private static async Task DownloadFileAsync(ModelScopeHub hub, ModelScopeId id, RepoFile file, string target, CancellationToken cancellationToken)
    {
        var part = target + ".part";
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // A part left by an earlier run may belong to another revision: when the finished file does not match, it is fetched once more from its start.
        bool resumed = File.Exists(part);
        while (true)
        {
            await hub.FetchAsync(id, file, part, cancellationToken);
            if (await MatchesAsync(part, file, cancellationToken)) break;
            File.Delete(part);
            if (!resumed)
                throw new ModelScopeException($"{hub.FileUrl(id, file.Path)} sent a file whose SHA-256 differs from the listing's; the partial file was removed, run again.");
            resumed = false;
        }
        File.Move(part, target, overwrite: true);
    }

    /// <summary>A copy of <paramref name="file"/> with its listed size and hash in one of <paramref name="folders"/>.</summary>
    private static async Task<string?> FindCopyAsync(RepoFile file, IEnumerable<string> folders, CancellationToken cancellationToken)
    {
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, file.Path);
            if (await MatchesAsync(path, file, cancellationToken)) return path;
        }
        return null;
    }

    /// <summary>Whether <paramref name="path"/> is the listed file: its size, and its SHA-256 where the hub gives one.</summary>
    private static async Task<bool> MatchesAsync(string path, RepoFile file, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || new FileInfo(path).Length != file.Size) return false;
        if (file.Sha256 is null) return true;
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexString(hash).Equals(file.Sha256, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Puts the finished <paramref name="partial"/> folder in place of <paramref name="folder"/>, whole.</summary>
    private static void Replace(string partial, string folder)
    {
        if (!Directory.Exists(folder))
        {
            try
            {
                Directory.Move(partial, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process finished the same model first; its folder is as complete as ours.
                Directory.Delete(partial, recursive: true);
            }
            return;
        }
        // A process still reading the old files keeps them open after the delete (on Unix) or fails the delete (Windows), which is harmless.
        var old = $"{folder}.old-{Guid.NewGuid():N}";
        Directory.Move(folder, old);
        Directory.Move(partial, folder);
        try
        {
            Directory.Delete(old, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A copy of the model already on disk, with a warning saying why it is used unchecked; null when there is none.</summary>
    private string? OnDisk(ModelScopeId id, string folder, string why, Action<DownloadEvent> report)
    {
        if (Directory.Exists(folder))
        {
            report(new DownloadEvent(DownloadStage.Warning, $"{why}; using {id} as downloaded earlier, from {folder}"));
            return folder;
        }
        if (settings.ModelScopeFolders(id).FirstOrDefault(IsModelFolder) is { } theirs)
        {
            report(new DownloadEvent(DownloadStage.Warning, $"{why}; using {id} from ModelScope's cache, {theirs}, whose revision cannot be checked"));
            return theirs;
        }
        return null;
    }

    private static bool IsModelFolder(string folder) =>
        File.Exists(Path.Combine(folder, "config.json")) || File.Exists(Path.Combine(folder, "configuration.json"));

    private static void WriteListing(string folder, List<RepoFile> files)
    {
        using var stream = File.Create(Path.Combine(folder, ListingFile));
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var file in files)
        {
            json.WriteStartObject();
            json.WriteString("Path", file.Path);
            json.WriteNumber("Size", file.Size);
            if (file.Sha256 is { } sha) json.WriteString("Sha256", sha);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static List<RepoFile>? ReadListing(string folder)
    {
        var path = Path.Combine(folder, ListingFile);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return [.. doc.RootElement.EnumerateArray().Select(f => new RepoFile(
                f.GetProperty("Path").GetString()!, f.GetProperty("Size").GetInt64(), f.TryGetProperty("Sha256", out var s) ? s.GetString() : null))];
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static bool SameListing(List<RepoFile>? cached, List<RepoFile> listed) =>
        cached is not null && cached.Count == listed.Count && cached.ToHashSet().SetEquals(listed);
}
