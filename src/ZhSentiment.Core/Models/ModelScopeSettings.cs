using ZhSentiment.Graph;

namespace ZhSentiment.Models;

/// <summary>
/// Where and how <c>modelscope:</c> models are fetched: the hub, the token, our cache and ModelScope's own, retries and
/// timeouts. <see cref="Resolve"/> reads them as ModelScope's clients read theirs, so a machine set up for ModelScope
/// works unchanged.
/// </summary>
public sealed record ModelScopeSettings
{
    public const string DefaultEndpoint = "https://www.modelscope.cn";

    /// <summary>The hub, e.g. <c>https://www.modelscope.cn</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>A ModelScope access token (<c>MODELSCOPE_API_TOKEN</c>), for private and gated models.</summary>
    public string? Token { get; init; }

    /// <summary>Never touch the network: use the cache or fail.</summary>
    public bool Offline { get; init; }

    /// <summary>Our cache root; downloads go to <c>ROOT/modelscope/ORG/NAME/REVISION</c>.</summary>
    public required string CacheRoot { get; init; }

    /// <summary><c>MODELSCOPE_CACHE</c>, null when unset.</summary>
    public string? ModelScopeCache { get; init; }

    /// <summary>The user's home, under which ModelScope keeps its default cache.</summary>
    public string Home { get; init; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Tries per request (listing, each file) before giving up; ModelScope's clients make 5.</summary>
    public int Attempts { get; init; } = 5;

    /// <summary>The wait after the first failure; it doubles after each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a request may wait for its answer, or a transfer for its next bytes, before it counts as stalled; ModelScope's is 60 s.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The settings from configuration and the environment. The endpoint is <paramref name="endpoint"/> when configured,
    /// else <c>MODELSCOPE_DOMAIN</c> as ModelScope reads it (a host name gets <c>https://</c>), else the public hub.
    /// <c>ZHSENTI_OFFLINE=1</c> turns downloads off as <paramref name="offline"/> does.
    /// </summary>
    /// <param name="cacheDirectory">The configured cache root; null or empty means <see cref="ModelCache.DefaultRoot"/>.</param>
    /// <param name="environment">Reads an environment variable; the process's by default.</param>
    /// <exception cref="FormatException">The endpoint is not an absolute http or https URL.</exception>
    public static ModelScopeSettings Resolve(string? endpoint, string? cacheDirectory, bool offline, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Env(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var hub = endpoint is { Length: > 0 } ? endpoint : Env("MODELSCOPE_DOMAIN") is { } domain
            ? domain.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || domain.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? domain : "https://" + domain
            : DefaultEndpoint;
        if (!Uri.TryCreate(hub, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new FormatException($"the ModelScope endpoint '{hub}' is not an http or https URL (from {(endpoint is { Length: > 0 } ? "ZhSentiment:ModelScopeEndpoint" : "MODELSCOPE_DOMAIN")}).");
        return new ModelScopeSettings
        {
            Endpoint = uri,
            Token = Env("MODELSCOPE_API_TOKEN"),
            Offline = offline || Env("ZHSENTI_OFFLINE") is "1" or "true" or "True" or "TRUE" or "yes",
            CacheRoot = Path.GetFullPath(cacheDirectory is { Length: > 0 } ? cacheDirectory : ModelCache.DefaultRoot),
            ModelScopeCache = Env("MODELSCOPE_CACHE"),
        };
    }

    /// <summary>Where <paramref name="id"/> lives in our cache: <c>CACHE/modelscope/ORG/NAME/REVISION</c>.</summary>
    public string CacheFolder(ModelScopeId id) => Path.Combine(CacheRoot, "modelscope", id.Owner, id.Name, id.Revision);

    /// <summary>
    /// Where ModelScope's own clients may have put <paramref name="id"/>, newest layout first. The 2.x client
    /// (<c>modelscope_hub</c>) keeps <c>BASE/models/ORG--NAME/snapshots/REVISION</c> under <c>$MODELSCOPE_CACHE</c> or
    /// <c>~/.cache/modelscope</c>; 1.x releases keep one revision per model under <c>$MODELSCOPE_CACHE</c> or
    /// <c>~/.cache/modelscope/hub</c>, as <c>models/ORG/NAME</c> (recent), <c>ORG/NAME</c> (older; before the move of
    /// the 1.2x releases, <c>$MODELSCOPE_CACHE/hub/ORG/NAME</c>), with dots in NAME written <c>___</c> since 1.10.
    /// </summary>
    public IEnumerable<string> ModelScopeFolders(ModelScopeId id)
    {
        var escaped = id.Name.Replace(".", "___", StringComparison.Ordinal);
        var root = ModelScopeCache ?? Path.Combine(Home, ".cache", "modelscope");
        var hub = ModelScopeCache ?? Path.Combine(Home, ".cache", "modelscope", "hub");
        string[] folders =
        [
            Path.Combine(root, "models", $"{id.Owner}--{id.Name}", "snapshots", id.Revision),
            Path.Combine(hub, "models", id.Owner, escaped),
            Path.Combine(hub, id.Owner, escaped),
            Path.Combine(hub, id.Owner, id.Name),
            Path.Combine(root, "hub", id.Owner, escaped),
            Path.Combine(root, "hub", id.Owner, id.Name),
        ];
        return folders.Select(Path.GetFullPath).Distinct();
    }
}
