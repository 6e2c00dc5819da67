using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ZhSentiment.Inference;
using ZhSentiment.Models;

namespace ZhSentiment.Serving;

/// <summary>Loads the engine of a model spec (a folder, a ModelScope download, or a test model), named as the spec. Called off the request path.</summary>
public delegate Task<SentimentEngine> ModelFactory(ModelSpec spec, CancellationToken cancellationToken);

/// <summary>
/// The served models by name: one engine each, one loaded instance at a time behind each name. The models are loaded
/// in the background once the host is up, so <c>/health</c> answers at once; a model counts as ready only after
/// warm-up predictions have gone through it. A model that fails to load or to warm up at start stops the service with
/// exit code 1. <see cref="ReloadAsync"/> replaces a model's instance without a lost request: the new one is loaded and
/// warmed up beside the old, switched in atomically, and the old one is freed once the requests holding it are done.
/// </summary>
public sealed class ModelRegistry : BackgroundService
{
    private const string WarmUpText = "这家店的服务态度真是太好了";

    private readonly ModelFactory _factory;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ModelRegistry> _logger;

    public ModelRegistry(ModelFactory factory, IOptions<ServiceOptions> options, IHostApplicationLifetime lifetime, ILogger<ModelRegistry> logger)
    {
        _factory = factory;
        _lifetime = lifetime;
        _logger = logger;
        Models = [.. options.Value.ModelSpecs().Select((spec, i) => new ServedModel(spec, isDefault: i == 0))];
    }

    /// <summary>Every served model, the default first.</summary>
    public IReadOnlyList<ServedModel> Models { get; }

    /// <summary>The model of requests that name none.</summary>
    public ServedModel Default => Models[0];

    /// <summary>Whether every model is loaded and warmed up.</summary>
    public bool Ready => Models.All(m => m.Current is not null);

    /// <summary>The model that could not be loaded at start, and why, once that has happened.</summary>
    public (ServedModel Model, string Reason)? Failure { get; private set; }

    /// <summary>The model named <paramref name="name"/> (case-insensitive), the default for null; null when none is.</summary>
    public ServedModel? Find(string? name) =>
        name is null ? Default : Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>404 problem details for a name that no model has, listing the names.</summary>
    public ProblemHttpResult Unknown(string name) => TypedResults.Problem(
        $"No model is named '{name}'; this service serves {string.Join(", ", Models.Select(m => m.IsDefault ? $"{m.Name} (the default)" : m.Name))}.",
        statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// Holds the current instance of the model named <paramref name="name"/> (the default for null) for a request; the
    /// instance stays loaded until the lease is disposed, however it is replaced meanwhile. The lease carries a
    /// problem instead when no model has the name (404) or it is still loading (503).
    /// </summary>
    public ModelLease Lease(HttpContext context, string? name)
    {
        if (Find(name) is not { } model) return new ModelLease(null, Unknown(name!));
        while (model.Current is { } current)
        {
            // Fails only when the instance was replaced and let go between the read and the hold: take the new one.
            if (current.TryHold()) return new ModelLease(current, null);
        }
        return new ModelLease(null, Prediction.Loading(context, model.Name));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var model in Models)
        {
            try
            {
                model.Publish(await LoadAsync(model.Spec, stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Model and download errors carry one-line messages meant for the user; anything else keeps its stack.
                Failure = (model, e.Message);
                if (IsLoadError(e)) Log.ModelFailed(_logger, model.Name, e.Message);
                else Log.ModelCrashed(_logger, e, model.Name, e.Message);
                _lifetime.StopApplication();
                return;
            }
        }
    }

    /// <summary>
    /// Loads <paramref name="model"/> again, from <paramref name="source"/> when given (from then on its source), warms
    /// it up, and switches requests to it; the old instance serves the requests that hold it and is freed after them.
    /// On failure the old instance keeps serving. Reloads of one model run one at a time.
    /// </summary>
    /// <exception cref="ModelLoadException">The model cannot be loaded; the message says why.</exception>
    /// <exception cref="InvalidOperationException">The model has not finished loading at start.</exception>
    public async Task<LoadedModel> ReloadAsync(ServedModel model, string? source, CancellationToken cancellationToken)
    {
        await model.Reloading.WaitAsync(cancellationToken);
        try
        {
            if (model.Current is null) throw new InvalidOperationException($"The model '{model.Name}' is still loading; reload it once it is ready.");
            var spec = source is null ? model.Spec : model.Spec with { Source = source };
            LoadedModel loaded;
            try
            {
                loaded = await LoadAsync(spec, cancellationToken);
            }
            catch (Exception e) when (IsLoadError(e) || e is FormatException)
            {
                throw new ModelLoadException($"Cannot load '{spec.Source ?? ModelReference.ShippedName}' as the model '{model.Name}': {e.Message.TrimEnd('.')}; '{model.Name}' keeps serving its current instance.", e);
            }
            model.Publish(loaded);
            Log.ModelReloaded(_logger, model.Name, loaded.Engine.Info.Source);
            return loaded;
        }
        finally
        {
            model.Reloading.Release();
        }
    }

    /// <summary>Reloads every loaded model from its source (SIGHUP), one after the other; failures are logged and leave the model as it was.</summary>
    public async Task ReloadAllAsync(CancellationToken cancellationToken)
    {
        foreach (var model in Models)
        {
            try
            {
                await ReloadAsync(model, null, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Nobody awaits a signal's reload: whatever stops it is logged here or nowhere.
                Log.ReloadFailed(_logger, model.Name, e is ModelLoadException or InvalidOperationException ? e.Message : e.ToString());
            }
        }
    }

    private async Task<LoadedModel> LoadAsync(ModelSpec spec, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var engine = await Task.Run(() => _factory(spec, cancellationToken), cancellationToken);
        try
        {
            string answers = Prediction.Describe(engine.Labels);
            Log.ModelLabels(_logger, engine.Info.Name, engine.Labels.Source, engine.Labels.Mapping, answers);
            await WarmUpAsync(engine, cancellationToken);
            var loaded = new LoadedModel(spec, engine, ModelCard.Read(engine.Info.Folder));
            Log.ModelReady(_logger, engine.Info.Name, engine.Info.Source, clock.Elapsed.TotalSeconds);
            return loaded;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    private static bool IsLoadError(Exception e) => e is ModelFormatException or ModelScopeException;

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
        // A host that fails to start (Kestrel cannot bind) is disposed while a load may still be inside ONNX Runtime
        // on another thread; the process then exits, and tearing the runtime down under a session being created
        // crashes it (exit 139). The load has seen the cancellation; wait for it to end before the engines go.
        ExecuteTask?.Wait();
        var loaded = Models.Select(m => m.Current).OfType<LoadedModel>().ToArray();
        foreach (var model in Models) model.Publish(null);
        // The server has let its requests finish, so the engines go at once; wait for that, as the process may exit next.
        Task.WaitAll([.. loaded.Select(m => m.Freed)], TimeSpan.FromSeconds(10));
    }
}

/// <summary>A name the service answers to, and the instance of its model that serves it now.</summary>
public sealed class ServedModel(ModelSpec spec, bool isDefault)
{
    private LoadedModel? _current;

    public string Name => spec.Name;

    /// <summary>The model of requests that name none.</summary>
    public bool IsDefault { get; } = isDefault;

    /// <summary>Where the model comes from and how it is loaded; a reload with a new source changes it.</summary>
    public ModelSpec Spec => Volatile.Read(ref _current)?.Spec ?? spec;

    /// <summary>The loaded, warmed-up instance; null while the model first loads.</summary>
    public LoadedModel? Current => Volatile.Read(ref _current);

    internal SemaphoreSlim Reloading { get; } = new(1, 1);

    /// <summary>Switches requests to <paramref name="model"/> and lets the old instance go once the requests holding it are done.</summary>
    internal void Publish(LoadedModel? model) => Interlocked.Exchange(ref _current, model)?.Release();
}

/// <summary>
/// One loaded instance of a model: its engine and card, counted while requests hold it. The registry holds it while it
/// serves its name; when that hold and every request's are released, its engine is disposed, and its memory goes back.
/// </summary>
public sealed class LoadedModel(ModelSpec spec, SentimentEngine engine, ModelCard card)
{
    private int _holds = 1;
    private readonly TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ModelSpec Spec { get; } = spec;
    public SentimentEngine Engine { get; } = engine;

    /// <summary>What the model's card says it is good for and how accurate it is.</summary>
    public ModelCard Card { get; } = card;

    /// <summary>Completes once the engine has been disposed.</summary>
    public Task Freed => _freed.Task;

    internal bool TryHold()
    {
        int holds = Volatile.Read(ref _holds);
        while (holds > 0)
        {
            int seen = Interlocked.CompareExchange(ref _holds, holds + 1, holds);
            if (seen == holds) return true;
            holds = seen;
        }
        return false;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _holds) != 0) return;
        // Off the releasing thread: the last request may be finishing on the batcher's thread, which Dispose joins.
        ThreadPool.UnsafeQueueUserWorkItem(static model =>
        {
            model.Engine.Dispose();
            model._freed.SetResult();
        }, this, preferLocal: false);
    }
}

/// <summary>A request's hold on a model instance, or the problem that stands in for it; dispose it when the request is done with the engine.</summary>
public readonly struct ModelLease(LoadedModel? model, ProblemHttpResult? problem) : IDisposable
{
    /// <summary>The held instance; null when <see cref="Problem"/> is set.</summary>
    public LoadedModel? Model { get; } = model;

    /// <summary>Why no model is held: 404 for an unknown name, 503 while it loads.</summary>
    public ProblemHttpResult? Problem { get; } = problem;

    public SentimentEngine Engine => Model!.Engine;

    public void Dispose() => Model?.Release();
}

/// <summary>A model that cannot be loaded on a reload; the message says why, for the admin.</summary>
public sealed class ModelLoadException(string message, Exception inner) : Exception(message, inner);
