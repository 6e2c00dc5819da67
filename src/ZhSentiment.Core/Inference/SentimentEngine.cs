using System.Buffers;
using System.Diagnostics;

namespace ZhSentiment.Inference;

/// <summary>
/// A loaded model ready to serve: text encoding on the caller's thread, windows for long texts, and one dynamic
/// batcher feeding the one model instance. Thread-safe; one engine serves every request of the process.
/// </summary>
public sealed class SentimentEngine : IDisposable
{
    [ThreadStatic] private static List<int>? t_ids;

    private readonly IClassifierBackend _backend;
    private readonly DynamicBatcher _batcher;
    private readonly int _windowLength;

    public SentimentEngine(ITextEncoder encoder, IClassifierBackend backend, LabelSet labels, ModelInfo info, EngineOptions? options = null)
    {
        if (labels.Count != backend.LabelCount)
            throw new ArgumentException($"The model has {backend.LabelCount} outputs but {labels.Count} labels.", nameof(labels));
        Encoder = encoder;
        _backend = backend;
        Labels = labels;
        Info = info;
        Options = options ?? new EngineOptions();
        if (info.MaxSequenceLength > backend.MaxSequenceLength)
            throw new ArgumentException($"The model reads at most {backend.MaxSequenceLength} tokens, not {info.MaxSequenceLength}.", nameof(info));
        _windowLength = info.MaxSequenceLength - encoder.Prefix.Length - encoder.Suffix.Length;
        if (_windowLength < 1) throw new ArgumentException("The model's maximum length leaves no room for text.", nameof(backend));
        _batcher = new DynamicBatcher(backend, Options, info.Name);
    }

    public ModelInfo Info { get; }
    public LabelSet Labels { get; }
    public ITextEncoder Encoder { get; }
    public EngineOptions Options { get; }

    /// <summary>Windows waiting for the model.</summary>
    public int QueueDepth => _batcher.QueueDepth;

    /// <summary>The name under which the engine publishes its metrics (<see cref="System.Diagnostics.Metrics.Meter"/>).</summary>
    public static string MeterName => EngineMetrics.MeterName;

    /// <summary>The tag of the engine's meter that holds <see cref="ModelInfo.Name"/>.</summary>
    public static string MeterModelTag => EngineMetrics.ModelTag;

    /// <summary>Classifies one text.</summary>
    /// <exception cref="ArgumentException">The text is empty or whitespace only.</exception>
    /// <exception cref="EngineOverloadedException">The queue is full.</exception>
    public async Task<SentimentResult> PredictAsync(string text, CancellationToken cancellationToken = default) =>
        (await PredictAsync([text], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Classifies several texts; results come in input order.</summary>
    /// <exception cref="ArgumentException">A text is null, empty or whitespace only (the message names its index).</exception>
    /// <exception cref="EngineOverloadedException">The queue cannot take all of the texts' windows.</exception>
    public Task<SentimentResult[]> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0) return Task.FromResult(Array.Empty<SentimentResult>());
        for (int i = 0; i < texts.Count; i++)
            if (string.IsNullOrWhiteSpace(texts[i]))
                throw new ArgumentException(texts.Count == 1 ? "The text is empty." : $"Text {i} is empty.", nameof(texts));
        cancellationToken.ThrowIfCancellationRequested();

        var ids = t_ids ??= new List<int>(256);
        var firstWindow = new int[texts.Count + 1];
        var tokens = new int[texts.Count];
        var work = new List<(int Text, int[] Ids, int Length)>(texts.Count);
        long now = Stopwatch.GetTimestamp();
        try
        {
            for (int t = 0; t < texts.Count; t++)
            {
                ids.Clear();
                Encoder.Encode(texts[t], ids);
                var windows = new TextWindows(ids.Count, _windowLength, Options.LongText);
                tokens[t] = windows.CoveredTokens;
                firstWindow[t] = work.Count;
                for (int w = 0; w < windows.Count; w++)
                {
                    var (start, length) = windows[w];
                    work.Add((t, Frame(ids, start, length, out int framed), framed));
                }
            }
            firstWindow[^1] = work.Count;

            var request = new PendingRequest(Labels, firstWindow, tokens, cancellationToken);
            var items = new WindowWork[work.Count];
            for (int i = 0; i < items.Length; i++) items[i] = new WindowWork(request, i, work[i].Ids, work[i].Length, now);
            _batcher.Enqueue(items);
            return request.Task;
        }
        catch
        {
            foreach (var w in work) ArrayPool<int>.Shared.Return(w.Ids);
            throw;
        }
    }

    /// <summary>Classifies texts synchronously (for the command line).</summary>
    public SentimentResult[] Predict(IReadOnlyList<string> texts) => PredictAsync(texts).GetAwaiter().GetResult();

    /// <summary>The text's tokens and ids as the model sees them: special tokens around the whole text, no windows.</summary>
    public (IReadOnlyList<string> Tokens, IReadOnlyList<int> Ids) Tokenize(string text)
    {
        var ids = new List<int>();
        ids.AddRange(Encoder.Prefix);
        Encoder.Encode(text, ids);
        ids.AddRange(Encoder.Suffix);
        return (ids.ConvertAll(Encoder.IdToToken), ids);
    }

    public void Dispose()
    {
        _batcher.Dispose();
        _backend.Dispose();
    }

    /// <summary>A pooled array with the window's ids between the encoder's prefix and suffix.</summary>
    private int[] Frame(List<int> ids, int start, int length, out int framed)
    {
        var prefix = Encoder.Prefix;
        var suffix = Encoder.Suffix;
        framed = prefix.Length + length + suffix.Length;
        var array = ArrayPool<int>.Shared.Rent(framed);
        prefix.CopyTo(array);
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids).Slice(start, length).CopyTo(array.AsSpan(prefix.Length));
        suffix.CopyTo(array.AsSpan(prefix.Length + length));
        return array;
    }
}
