using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZhSentiment.Tests.Deploy;

/// <summary>A process the test starts and always ends: its output is kept for failure messages, never left to fill a pipe.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var child = new ChildProcess(new Process { StartInfo = info });
        child.Process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child.Process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child.Process.Start();
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: no graceful stop, as when a machine or container dies.</summary>
    public void Kill()
    {
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
    }

    /// <summary>Polls <paramref name="url"/> until it answers 200; fails with the process's output if it exits or times out.</summary>
    public async Task WaitUntilOkAsync(HttpClient http, string url, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Process.HasExited) Assert.Fail($"{Process.StartInfo.FileName} exited with {Process.ExitCode} before {url} answered:\n{Output}");
            try
            {
                using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"{url} did not answer 200 within {timeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited) Kill();
        }
        catch (InvalidOperationException)
        {
            // It had not started or has just exited.
        }
        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
