using System.Diagnostics;

namespace ZhSentiment.Tests.Bench;

/// <summary>
/// The benchmark harness (<c>bench/harness</c>, Python) has unit tests of its own logic: medians and ratios, FLOP
/// counts, parsing of wrk's output and of <c>/metrics</c>, the RESULTS.md figures and target verdicts, and the peer's
/// tokenizer. They need only Python's standard library; skipped where there is no <c>python3</c>.
/// </summary>
public class HarnessTests
{
    [Fact]
    public async Task Harness_unit_tests_pass()
    {
        var python = FindOnPath("python3");
        if (python is null) Assert.Skip("python3 is not on PATH");
        var start = new ProcessStartInfo(python, ["-m", "unittest", "discover", "-s", "tests"])
        {
            WorkingDirectory = Path.Combine(TestPaths.RepoRoot, "bench", "harness"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1"; // leave no __pycache__ in the checkout
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, await output + await errors);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
