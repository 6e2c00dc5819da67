using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ZhSentiment.Hosting;

/// <summary>Loads the registered analyzer once: started by the host, or by the first resolution, whichever comes first.</summary>
internal sealed class AnalyzerLoader(string? model, SentimentAnalyzerOptions options) : IHostedService, IAsyncDisposable
{
    private readonly Lazy<Task<SentimentAnalyzer>> _load = new(() => Task.Run(() => SentimentAnalyzer.LoadAsync(model, options)));

    public Task<SentimentAnalyzer> Loading => _load.Value;

    /// <summary>The analyzer, waiting for the load.</summary>
    public SentimentAnalyzer Wait() => Loading.GetAwaiter().GetResult();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Loading; // starts loading; the host does not wait for it (the health check reports it)
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (!_load.IsValueCreated) return;
        try
        {
            await (await _load.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The load failed: nothing to release.
        }
    }
}

/// <summary>Healthy once the model is loaded; unhealthy while it loads or when it failed to.</summary>
internal sealed class AnalyzerHealthCheck(AnalyzerLoader loader) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var load = loader.Loading;
        var result = load.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy($"The model '{load.Result.Info.Name}' is loaded.",
                new Dictionary<string, object> { ["model"] = load.Result.Info.Name, ["queue_depth"] = load.Result.QueueDepth }),
            TaskStatus.Faulted or TaskStatus.Canceled => new HealthCheckResult(context.Registration.FailureStatus, "The model failed to load.", load.Exception?.GetBaseException()),
            _ => new HealthCheckResult(context.Registration.FailureStatus, "The model is loading."),
        };
        return Task.FromResult(result);
    }
}
