namespace ZhSentiment.Inference;

/// <summary>How the engine batches work for the model.</summary>
public sealed record EngineOptions
{
    /// <summary>Upper bound on padded tokens (rows × longest row) in one model batch.</summary>
    public int MaxBatchTokens { get; init; } = 8192;

    /// <summary>Upper bound on rows in one model batch.</summary>
    public int MaxBatchRows { get; init; } = 64;

    /// <summary>
    /// How long the first queued window may wait for others to join its batch. Zero runs a batch as soon as the model
    /// is free; under load batches still fill, because work queues up while the model runs.
    /// </summary>
    public TimeSpan MaxBatchWait { get; init; } = TimeSpan.Zero;

    /// <summary>Windows that may wait for the model at once; beyond it requests are refused with <see cref="EngineOverloadedException"/>.</summary>
    public int QueueCapacity { get; init; } = 4096;

    public LongTextOptions LongText { get; init; } = new();
}
