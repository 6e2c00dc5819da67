namespace ZhSentiment.Models;

/// <summary>A model on ModelScope, written <c>modelscope:ORG/NAME[@REVISION]</c>; the revision (branch or tag) defaults to <c>master</c>.</summary>
public sealed record ModelScopeId(string Owner, string Name, string Revision)
{
    public const string Scheme = "modelscope:";
    public const string DefaultRevision = "master";

    public string RepoId => $"{Owner}/{Name}";

    /// <summary><c>ORG/NAME</c>, with <c>@REVISION</c> unless it is the default: the model's name wherever it is shown.</summary>
    public string DisplayName => Revision == DefaultRevision ? RepoId : $"{RepoId}@{Revision}";

    public override string ToString() => Scheme + DisplayName;

    /// <summary>Whether <paramref name="model"/> names a ModelScope model rather than a folder.</summary>
    public static bool IsModelScope(string model) => model.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <exception cref="FormatException">Not of the form <c>modelscope:ORG/NAME[@REVISION]</c>.</exception>
    public static ModelScopeId Parse(string model)
    {
        if (!IsModelScope(model)) throw Invalid(model);
        var rest = model[Scheme.Length..];
        var revision = DefaultRevision;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            revision = rest[(at + 1)..];
            rest = rest[..at];
        }
        var parts = rest.Split('/');
        if (parts.Length != 2 || !IsSafe(parts[0]) || !IsSafe(parts[1]) || !IsSafe(revision)) throw Invalid(model);
        return new ModelScopeId(parts[0], parts[1], revision);
    }

    // Each part becomes a folder name in the cache and a URL segment: no separators, no dot-only names.
    private static bool IsSafe(string part) =>
        part.Length > 0 && part.Trim('.').Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static FormatException Invalid(string model) =>
        new($"'{model}' is not a ModelScope model id: expected modelscope:ORG/NAME or modelscope:ORG/NAME@REVISION.");
}
