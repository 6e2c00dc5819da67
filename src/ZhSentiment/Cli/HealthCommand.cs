using System.CommandLine;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti health</c>: probes a running service and exits 0 on a 2xx answer, 1 otherwise. Container images built on
/// runtime-deps have no curl or wget, so their HEALTHCHECK runs the binary itself.
/// </summary>
internal sealed class HealthCommand : Command
{
    private readonly Option<string> _url = new("--url")
    {
        Description = "The URL to probe. Default: /health on the first address of $ASPNETCORE_URLS (wildcard hosts read as 127.0.0.1), else on the first of $ASPNETCORE_HTTP_PORTS, else http://127.0.0.1:5000/health.",
        HelpName = "URL",
    };
    private readonly Option<double> _timeout = new("--timeout") { Description = "Seconds to wait for the answer. Default: 3.", HelpName = "SECONDS", DefaultValueFactory = _ => 3 };

    public HealthCommand() : base("health", "Probe a running service: exit 0 when it answers 2xx, 1 otherwise (for container health checks).")
    {
        Options.Add(_url);
        Options.Add(_timeout);
        SetAction((parse, cancellationToken) =>
            ProbeAsync(parse.GetValue(_url) ?? DefaultUrl(Environment.GetEnvironmentVariable("ASPNETCORE_URLS"), Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")),
                parse.GetValue(_timeout), cancellationToken));
    }

    /// <summary><c>/health</c> on the address the service listens on, as the web host reads it, reached over loopback.</summary>
    public static string DefaultUrl(string? aspNetCoreUrls, string? aspNetCoreHttpPorts)
    {
        const StringSplitOptions Split = StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries;
        var first = aspNetCoreUrls?.Split(';', Split).FirstOrDefault();
        if (first is null && aspNetCoreHttpPorts?.Split(';', Split).FirstOrDefault() is { } port) first = $"http://127.0.0.1:{port}";
        if (first is null) return "http://127.0.0.1:5000/health";
        foreach (var wildcard in new[] { "://+", "://*", "://0.0.0.0", "://[::]" })
            first = first.Replace(wildcard, "://127.0.0.1", StringComparison.Ordinal);
        return first.TrimEnd('/') + "/health";
    }

    public static async Task<int> ProbeAsync(string url, double timeoutSeconds, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return CliErrors.Report("health", $"--url takes an absolute http(s) URL, not '{url}'");
        }
        if (!(timeoutSeconds > 0))
        {
            return CliErrors.Report("health", $"--timeout takes a number above 0, not '{timeoutSeconds}'");
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode) return 0;
            CliErrors.Report("health", $"{uri}: {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            CliErrors.Report("health", $"{uri}: {e.Message}");
        }
        return 1;
    }
}
