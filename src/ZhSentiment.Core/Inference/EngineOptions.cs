namespace ZhSentiment.Inference;

/// <summary>How the engine batches work for the model.</summary>
public sealed record EngineOptions
{
    /// <summary>
    /// Upper bound on padded tokens (rows × longest row) in one model batch. 2048 still batches about 40 short
    /// reviews together, while a batch of 400-token texts stays at 5 rows: a BERT-base batch's activations grow with
    /// rows × heads × length², and at 8192 tokens they took the fp32 service from 455 MB to about 1 GB.
    /// </summary>
    public int MaxBatchTokens { get; init; } = 2048;

    /// <summary>
    /// Upper bound on rows in one model batch. On the 2-core reference machine BERT-base served 40–80-character
    /// reviews at 32 concurrent clients 35–40% faster in batches of at most 8 than of 64 (fp32 17.0 vs 12.6
    /// requests/s, int8 52.9 vs 37.9, `bench/run --rounds 1` with ZhSentiment__MaxBatchRows set): larger batches pad
    /// more and run ONNX Runtime's kernels less efficiently, and they hold more activation memory.
    /// </summary>
    public int MaxBatchRows { get; init; } = 8;

    /// <summary>
    /// How long the first queued window may wait for others to join its batch. Zero runs a batch as soon as the model
    /// is free; under load batches still fill, because work queues up while the model runs.
    /// </summary>
    public TimeSpan MaxBatchWait { get; init; } = TimeSpan.Zero;

    /// <summary>Windows that may wait for the model at once; beyond it requests are refused with <see cref="EngineOverloadedException"/>.</summary>
    public int QueueCapacity { get; init; } = 4096;

    public LongTextOptions LongText { get; init; } = new();
}
