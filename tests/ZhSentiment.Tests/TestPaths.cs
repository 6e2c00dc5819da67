namespace ZhSentiment.Tests;

/// <summary>Where tests find the repository, its fixtures and the optional <c>../shared</c> data.</summary>
internal static class TestPaths
{
    /// <summary>The checkout's root: the folder holding ZhSentiment.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Committed test fixtures (copied beside the test assembly).</summary>
    public static string Fixtures { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>
    /// <c>../shared</c> beside the checkout (or <c>ZHSENTI_SHARED</c>), or null when absent. Tests that need it
    /// call <see cref="RequireShared"/>, which skips them cleanly on a fresh clone.
    /// </summary>
    public static string? Shared { get; } = FindShared();

    public static string RequireShared(string relativePath)
    {
        if (Shared is null) Assert.Skip("../shared is not present beside the checkout");
        var path = Path.Combine(Shared, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path)) Assert.Skip($"../shared/{relativePath} is not present");
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ZhSentiment.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (ZhSentiment.slnx) above " + AppContext.BaseDirectory);
    }

    private static string? FindShared()
    {
        var fromEnv = Environment.GetEnvironmentVariable("ZHSENTI_SHARED");
        if (!string.IsNullOrEmpty(fromEnv)) return Directory.Exists(fromEnv) ? fromEnv : null;
        var beside = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return Directory.Exists(beside) ? beside : null;
    }
}
