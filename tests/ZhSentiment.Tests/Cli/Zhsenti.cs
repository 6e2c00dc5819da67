using System.Diagnostics;
using System.Text;

namespace ZhSentiment.Tests.Cli;

/// <summary>Runs the real <c>zhsenti</c> executable (the copy built beside the tests) as a child process.</summary>
public static class Zhsenti
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "zhsenti.dll");

    public static Task<Result> RunAsync(string? stdin, params string[] args) => RunAsync(stdin, new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set for the child on top of this process's.</param>
    public static async Task<Result> RunAsync(string? stdin, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"zhsenti {string.Join(' ', args)} did not finish in 60 s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
