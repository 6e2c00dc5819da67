namespace ZhSentiment.Models;

/// <summary>
/// A model as the user named it, carried from the option to the model card: <see cref="Name"/> is what answers and
/// <c>/info</c> call it, <see cref="Source"/> what was asked for (a <c>modelscope:</c> id or a folder), <see cref="Folder"/>
/// where its files are.
/// </summary>
public sealed record ModelReference(string Name, string Source, string Folder)
{
    /// <summary>The name of the model shipped beside the executable.</summary>
    public const string ShippedName = "default";

    public static ModelReference Shipped(string folder) => new(ShippedName, Path.GetFullPath(folder), Path.GetFullPath(folder));

    /// <summary>A folder is named after itself (<c>models/my-bert/</c> → <c>my-bert</c>).</summary>
    public static ModelReference ForFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        return new(Path.GetFileName(Path.TrimEndingDirectorySeparator(full)), full, full);
    }

    /// <summary>A ModelScope model is named after its id (<c>iic/NAME@v1.0.1</c>), not after its cache folder.</summary>
    public static ModelReference ForModelScope(ModelScopeId id, string folder) => new(id.DisplayName, id.ToString(), folder);
}
