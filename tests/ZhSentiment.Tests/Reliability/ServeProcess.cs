using System.Diagnostics;
using System.Text;

namespace ZhSentiment.Tests.Reliability;

/// <summary><c>zhsenti serve</c> as a child process (the zhsenti.dll built beside the tests), with its output captured.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new(), _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zhsenti.dll"));
        start.ArgumentList.Add("serve");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["Logging__Console__FormatterName"] = "simple";
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stdout) _stdout.AppendLine(e.Data);
            const string prefix = "Now listening on: ";
            int at = e.Data.IndexOf(prefix, StringComparison.Ordinal);
            if (at >= 0) _listening.TrySetResult(new Uri(e.Data[(at + prefix.Length)..].Trim()));
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static ServeProcess Start(params string[] args) => new(args);

    public int Id => _process.Id;

    public string StandardOutput
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    public string StandardError
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>The address Kestrel reports once it listens.</summary>
    public Task<Uri> ListeningAsync(TimeSpan timeout) => _listening.Task.WaitAsync(timeout);

    /// <summary>Waits for the exit and returns its code; kills the process and fails if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"zhsenti serve did not exit in {timeout.TotalSeconds} s; stdout:\n{StandardOutput}");
        }
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>What a process manager sends to stop a service.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
