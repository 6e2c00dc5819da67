using ZhSentiment.Models;

namespace ZhSentiment.Serving;

/// <summary>Turns the <c>Model</c> setting into a local folder: the shipped default, a given folder, or a ModelScope download.</summary>
internal static class ModelSource
{
    /// <summary>The shipped default model, next to the executable.</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "models", "default");

    /// <param name="progress">Receives a line per file downloaded.</param>
    public static async Task<string> ResolveFolderAsync(ServiceOptions options, Action<string> progress, CancellationToken cancellationToken)
    {
        var model = options.Model;
        if (string.IsNullOrWhiteSpace(model)) return DefaultFolder;
        if (!ModelScopeId.IsModelScope(model)) return Path.GetFullPath(model);

        var id = ModelScopeId.Parse(model);
        // Fail fast without network; a model's big files may take long, so no overall timeout.
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new ModelScopeClient(http, new Uri(options.ModelScopeEndpoint));
        return await client.DownloadAsync(id, options.CacheDirectory, progress, cancellationToken);
    }
}
