using System.Diagnostics;
using ZhSentiment.Inference;
using ZhSentiment.Models;

namespace ZhSentiment.Serving;

/// <summary>Loads the model the service runs (a folder, a ModelScope download, or a test model). Called once, off the request path.</summary>
public delegate Task<SentimentEngine> ModelFactory(CancellationToken cancellationToken);

/// <summary>
/// Owns the process's one engine. The model is loaded in the background once the host is up, so <c>/health</c>
/// answers at once; it counts as ready only after warm-up predictions have gone through it. A model that
/// fails to load or to warm up stops the service with exit code 1.
/// </summary>
public sealed class ModelHost(ModelFactory factory, IHostApplicationLifetime lifetime, ILogger<ModelHost> logger) : BackgroundService
{
    private const string WarmUpText = "这家店的服务态度真是太好了";

    private SentimentEngine? _loaded;
    private volatile SentimentEngine? _ready;

    /// <summary>The engine, once loaded and warmed up; null before.</summary>
    public SentimentEngine? Engine => _ready;

    /// <summary>What the loaded model's card says it is good for and how accurate it is.</summary>
    public ModelCard Card { get; private set; } = ModelCard.None;

    /// <summary>Why the model could not be loaded, once that has happened.</summary>
    public string? Failure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            _loaded = await Task.Run(() => factory(stoppingToken), stoppingToken);
            string answers = Prediction.Describe(_loaded.Labels);
            Log.ModelLabels(logger, _loaded.Labels.Source, _loaded.Labels.Mapping, answers);
            await WarmUpAsync(_loaded, stoppingToken);
            Card = ModelCard.Read(_loaded.Info.Folder);
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

    /// <summary>
    /// Runs a short text and, for graphs made elsewhere, a text that fills the model's longest window, and refuses the
    /// model when either fails or gives non-finite logits (which no JSON answer could carry): damaged weights, or an
    /// ONNX export whose position table is shorter than its config.json says, which would otherwise fail only on long
    /// texts, at request time. A graph built here from a checkpoint had its shapes checked when it was built, and a
    /// full window costs BERT-base half a second of start-up.
    /// </summary>
    internal static async Task WarmUpAsync(SentimentEngine engine, CancellationToken cancellationToken)
    {
        string[] texts = engine.Info.BuiltFromCheckpoint ? [WarmUpText] : [WarmUpText, new string('好', engine.Info.MaxSequenceLength)];
        foreach (var text in texts)
        {
            SentimentResult result;
            try
            {
                result = await engine.PredictAsync(text, cancellationToken);
            }
            catch (Exception e) when (e is not (OperationCanceledException or ModelFormatException))
            {
                throw new ModelFormatException(engine.Info.Folder, $"fails on a {text.Length}-character warm-up text: {e.Message.ReplaceLineEndings(" ")}", e);
            }
            if (!result.Logits.All(float.IsFinite))
                throw new ModelFormatException(engine.Info.Folder, $"gives non-finite logits ({string.Join(", ", result.Logits)}) for a warm-up text: its weights are damaged");
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        // A host that fails to start (Kestrel cannot bind) is disposed while the load may still be inside ONNX Runtime
        // on another thread; the process then exits, and tearing the runtime down under a session being created
        // crashes it (exit 139). The load has seen the cancellation; wait for it to end before the engine goes.
        ExecuteTask?.Wait();
        _loaded?.Dispose();
    }
}
