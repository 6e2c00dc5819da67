namespace ZhSentiment.Models;

/// <summary>
/// Turns what the user named with <c>--model</c> (or <c>ZhSentiment:Model</c>) into a <see cref="ModelReference"/>: the
/// shipped default, a given folder, or a ModelScope model fetched into the cache. Every verb and <c>serve</c> resolve here.
/// </summary>
public static class ModelSource
{
    /// <summary>The shipped default model, next to the executable.</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "models", "default");

    /// <summary>Whether <paramref name="model"/> names the shipped model: nothing, or <c>default</c> (a folder of that name is <c>./default</c>).</summary>
    public static bool IsShipped(string? model) => string.IsNullOrWhiteSpace(model) || model == ModelReference.ShippedName;

    /// <summary>
    /// The name a model is known by when none is given, as <see cref="ResolveAsync"/> names it, without fetching it:
    /// <c>default</c>, the folder's name, or the ModelScope id (<c>ORG/NAME[@REV]</c>).
    /// </summary>
    /// <exception cref="FormatException">A malformed <c>modelscope:</c> id.</exception>
    public static string NameOf(string? model) =>
        IsShipped(model) ? ModelReference.ShippedName
        : ModelScopeId.IsModelScope(model!) ? ModelScopeId.Parse(model!).DisplayName
        : ModelReference.ForFolder(model!).Name;

    /// <param name="model">A folder, <c>modelscope:ORG/NAME[@REVISION]</c>, or null or <c>default</c> for the shipped model.</param>
    /// <param name="report">Receives what a download does.</param>
    /// <param name="http">The client for the hub; by default one from <see cref="ModelScopeClient.CreateHttpClient"/>.</param>
    /// <exception cref="FormatException">A malformed <c>modelscope:</c> id.</exception>
    /// <exception cref="ModelScopeException">The model cannot be fetched.</exception>
    public static async Task<ModelReference> ResolveAsync(string? model, ModelScopeSettings settings, Action<DownloadEvent> report, CancellationToken cancellationToken, HttpClient? http = null)
    {
        if (IsShipped(model)) return ModelReference.Shipped(DefaultFolder);
        if (!ModelScopeId.IsModelScope(model!)) return ModelReference.ForFolder(model!);
        var id = ModelScopeId.Parse(model!);
        using var owned = http is null ? ModelScopeClient.CreateHttpClient() : null;
        var folder = await new ModelScopeClient(http ?? owned!, settings).DownloadAsync(id, report, cancellationToken);
        return ModelReference.ForModelScope(id, folder);
    }
}
