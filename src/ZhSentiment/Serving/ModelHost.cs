using System.Diagnostics;
using ZhSentiment.Inference;
using ZhSentiment.Models;

namespace ZhSentiment.Serving;

/// <summary>Loads the model the service runs (a folder, a ModelScope download, or a test model). Called once, off the request path.</summary>
public delegate Task<SentimentEngine> ModelFactory(CancellationToken cancellationToken);

/// <summary>
/// Owns the process's one engine. The model is loaded in the background once the host is up, so <c>/health</c>
/// answers at once; it counts as ready only after one real prediction has gone through it (warm-up). A model that
/// fails to load stops the service with exit code 1.
/// </summary>
public sealed class ModelHost(ModelFactory factory, IHostApplicationLifetime lifetime, ILogger<ModelHost> logger) : BackgroundService
{
    private const string WarmUpText = "这家店的服务态度真是太好了";

    private SentimentEngine? _loaded;
    private volatile SentimentEngine? _ready;

    /// <summary>The engine, once loaded and warmed up; null before.</summary>
    public SentimentEngine? Engine => _ready;

    /// <summary>Why the model could not be loaded, once that has happened.</summary>
    public string? Failure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            _loaded = await Task.Run(() => factory(stoppingToken), stoppingToken);
            var warmUp = await _loaded.PredictAsync(WarmUpText, stoppingToken);
            // Damaged weights (NaN, overflowed half floats) give non-finite logits, which no answer could carry.
            if (!warmUp.Logits.All(float.IsFinite))
                throw new ModelFormatException(_loaded.Info.Source, $"gives non-finite logits ({string.Join(", ", warmUp.Logits)}) for a warm-up text: its weights are damaged");
            _ready = _loaded;
            Log.ModelReady(logger, _loaded.Info.Name, _loaded.Info.Source, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Model and download errors carry one-line messages meant for the user; anything else keeps its stack.
            Failure = e.Message;
            if (e is ModelFormatException or ModelScopeException) Log.ModelFailed(logger, e.Message);
            else Log.ModelCrashed(logger, e, e.Message);
            lifetime.StopApplication();
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _loaded?.Dispose();
    }
}
