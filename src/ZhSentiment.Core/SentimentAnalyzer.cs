using ZhSentiment.Analysis;
using ZhSentiment.Inference;
using ZhSentiment.Models;

namespace ZhSentiment;

/// <summary>
/// Chinese sentiment and emotions in-process: one loaded model, ready to classify. Thread-safe: one analyzer serves every
/// caller of the application, and concurrent calls are batched together for the model.
/// </summary>
/// <remarks>
/// Every answer is read from the model's <see cref="LabelSet"/>: <see cref="SentimentResult.Label"/> is the three-way
/// verdict of <c>/v1/sentiment</c> (<see cref="LabelSet.ThreeWay"/>), <see cref="SentimentResult.Polarity"/> the binary
/// verdict of <c>/predict</c> and <c>zhsenti predict</c> (<see cref="LabelSet.Binary"/>), <see cref="SentimentResult.Emotion"/>
/// and <see cref="LabelSet.Emotions"/> the emotions of <c>/v1/emotion</c>.
/// </remarks>
/// <example>
/// <code>
/// await using var analyzer = await SentimentAnalyzer.LoadAsync();
/// var result = await analyzer.AnalyzeAsync("这家店的服务态度真是太好了");
/// Console.WriteLine($"{result.Label} {result.Score:F3}"); // Positive 0.98
/// </code>
/// </example>
public sealed class SentimentAnalyzer : IAsyncDisposable, IDisposable
{
    private readonly SentimentEngine _engine;
    private int _disposed;

    private SentimentAnalyzer(SentimentEngine engine) => _engine = engine;

    /// <summary>
    /// Loads a model: <paramref name="model"/> null (or empty) for the shipped default model, copied beside the
    /// application by the package; a folder (a PyTorch or safetensors checkpoint, converted to ONNX once and cached;
    /// an ONNX export; a compact model); or <c>modelscope:ORG/NAME[@REVISION]</c>, downloaded into the cache.
    /// </summary>
    /// <exception cref="ModelFormatException">A model file is missing, malformed or unsupported; the message names it.</exception>
    /// <exception cref="FormatException">A malformed <c>modelscope:</c> id.</exception>
    /// <exception cref="ModelScopeException">The ModelScope model cannot be fetched.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<SentimentAnalyzer> LoadAsync(string? model = null, SentimentAnalyzerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SentimentAnalyzerOptions();
        var settings = ModelScopeSettings.Resolve(options.ModelScopeEndpoint, options.CacheDirectory, options.Offline);
        var reference = await ModelSource.ResolveAsync(model, settings, options.OnDownload ?? (_ => { }), cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(model) && !Directory.Exists(reference.Folder))
            throw new ModelFormatException(reference.Folder,
                "does not exist: the shipped default model is copied there by the ZhSentiment.Core package on build and publish (unless ZhSentimentCopyDefaultModel is false); pass a model folder or a modelscope: id otherwise");
        var loadOptions = options.ToLoadOptions();
        // Loading reads (and for checkpoints converts) hundreds of megabytes: off the caller's thread.
        var engine = await Task.Run(() => ModelLoader.Load(reference, loadOptions, options.OnWarning), cancellationToken).ConfigureAwait(false);
        return new SentimentAnalyzer(engine);
    }

    /// <summary>The model: its name, source, folder, architecture and limits.</summary>
    public ModelInfo Info => _engine.Info;

    /// <summary>The model's labels and the rule every answer is read by.</summary>
    public LabelSet Labels => _engine.Labels;

    /// <summary>Whether the model answers emotions (<see cref="SentimentResult.Emotion"/>, <see cref="LabelSet.Emotions"/>).</summary>
    public bool HasEmotions => _engine.Labels.EmotionHead is not null;

    /// <summary>Texts' windows waiting for the model now.</summary>
    public int QueueDepth => _engine.QueueDepth;

    /// <summary>Classifies one text.</summary>
    /// <exception cref="ArgumentException">The text is null, empty or whitespace only.</exception>
    /// <exception cref="EngineOverloadedException">The queue is full (<see cref="EngineOptions.QueueCapacity"/>).</exception>
    /// <exception cref="ObjectDisposedException">The analyzer was disposed.</exception>
    public Task<SentimentResult> AnalyzeAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ThrowIfDisposed();
        return _engine.PredictAsync(text, cancellationToken);
    }

    /// <summary>Classifies several texts in one call; the results come in input order.</summary>
    /// <exception cref="ArgumentException">A text is null, empty or whitespace only (the message names its index).</exception>
    /// <exception cref="EngineOverloadedException">The queue cannot take all of the texts.</exception>
    /// <exception cref="ObjectDisposedException">The analyzer was disposed.</exception>
    public async Task<IReadOnlyList<SentimentResult>> AnalyzeAsync(IEnumerable<string> texts, CancellationToken cancellationToken = default)
    {
        var list = ToList(texts);
        ThrowIfDisposed();
        return await _engine.PredictAsync(list, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What <c>/v1/analyze</c> answers for one text: the overall verdict (the clauses after a contrast marker such as 但是
    /// weighing more), each sentence's and clause's verdict, the spans that moved the verdict most, and the
    /// <paramref name="aspects"/> it mentions. Costs up to <see cref="TextAnalyzer.MaxPredictionsPerText"/> predictions.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="aspects">What to look for (e.g. a preset's <see cref="AspectPreset.Aspects"/> from <see cref="AspectLexicon"/>); none by default.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<TextAnalysis> AnalyzeTextAsync(string text, IReadOnlyList<Aspect>? aspects = null, CancellationToken cancellationToken = default) =>
        (await AnalyzeTextsAsync([text], aspects, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>The analyses of <see cref="AnalyzeTextAsync"/> for several texts, in input order.</summary>
    public async Task<IReadOnlyList<TextAnalysis>> AnalyzeTextsAsync(IEnumerable<string> texts, IReadOnlyList<Aspect>? aspects = null, CancellationToken cancellationToken = default)
    {
        var list = ToList(texts);
        ThrowIfDisposed();
        return await TextAnalyzer.AnalyzeAsync(_engine, list, aspects ?? [], cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the batcher (queued work is finished or cancelled) and releases the model.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _engine.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static string[] ToList(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return texts as string[] ?? [.. texts];
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
