using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ZhSentiment.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: ZhSentiment.Core and ZhSentiment.Client packed into a folder feed, and the sample
/// (samples/ZhSentiment.Sample) copied out of the repository, restored from that feed and built. Done once per test class.
/// </summary>
/// <remarks>
/// The sample restores into its own packages folder (so a package packed earlier under the same version is never
/// taken from the machine's cache) with the machine's cache as a read-only fallback for ONNX Runtime and
/// Microsoft.Extensions, so no download is needed where the repository has restored.
/// </remarks>
public sealed partial class PackedSample : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public string Root { get; } = Directory.CreateTempSubdirectory("zhsenti-pack-").FullName;
    public string Feed => Path.Combine(Root, "feed");
    public string Version { get; private set; } = "";
    public string SampleDll { get; private set; } = "";

    /// <summary>Why the packages could not be packed or restored here; null when they were.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The configuration the tests were built in; the packages are packed from that build (no second build).</summary>
    private static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public async ValueTask InitializeAsync()
    {
        foreach (var project in new[] { "src/ZhSentiment.Core/ZhSentiment.Core.csproj", "src/ZhSentiment.Client/ZhSentiment.Client.csproj" })
        {
            var pack = await DotnetAsync(TestPaths.RepoRoot, null, "pack", Path.Combine(TestPaths.RepoRoot, project), "--no-build", "-c", Configuration, "-o", Feed);
            if (pack.ExitCode != 0) throw new InvalidOperationException($"dotnet pack {project} failed:\n{pack.Output}");
        }
        Version = VersionPattern().Match(Path.GetFileName(Directory.GetFiles(Feed, "ZhSentiment.Core.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal)))).Groups[1].Value;

        var sample = Path.Combine(Root, "sample");
        Directory.CreateDirectory(sample);
        foreach (var file in new[] { "ZhSentiment.Sample.csproj", "Program.cs" })
            File.Copy(Path.Combine(TestPaths.RepoRoot, "samples", "ZhSentiment.Sample", file), Path.Combine(sample, file));
        File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="ZhSentiment.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        var build = await DotnetAsync(sample, environment, "build", "-c", "Release", $"-p:ZhSentimentVersion={Version}",
            $"-p:RestoreAdditionalProjectFallbackFolders={MachinePackages()}");
        if (build.ExitCode != 0)
        {
            // Offline with a dependency missing from the machine's cache: nothing this repository can fix.
            if (build.Output.Contains("NU1301", StringComparison.Ordinal)) { Unavailable = "restore needs a package source that cannot be reached: " + build.Output; return; }
            throw new InvalidOperationException($"The sample does not build from the packages:\n{build.Output}");
        }
        SampleDll = Path.Combine(sample, "bin", "Release", "net10.0", "ZhSentiment.Sample.dll");
    }

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }

    /// <summary>Skips the test when the packages cannot be restored here.</summary>
    public void Require()
    {
        if (Unavailable is not null) Assert.Skip(Unavailable);
    }

    /// <summary>Runs the built sample.</summary>
    public Task<(int ExitCode, string Output)> RunSampleAsync(params string[] args) => RunAsync("dotnet", Root, null, [SampleDll, .. args], stdoutOnly: true);

    private static string MachinePackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static Task<(int ExitCode, string Output)> DotnetAsync(string directory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAsync("dotnet", directory, environment, args, stdoutOnly: false);

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string directory, IReadOnlyDictionary<string, string>? environment, string[] args, bool stdoutOnly)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        // The test host's MSBuild variables would point the child's build at the test's own SDK resolution.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {Limit.TotalMinutes} min");
        }
        return (process.ExitCode, stdoutOnly ? await stdout : await stdout + await stderr);
    }

    [GeneratedRegex(@"^ZhSentiment\.Core\.(.+)\.nupkg$")]
    private static partial Regex VersionPattern();
}
