namespace ZhSentiment.Inference;

/// <summary>The engine's queue is full: the caller should retry later (the service answers 503 with Retry-After).</summary>
public sealed class EngineOverloadedException(int queued, int capacity)
    : Exception($"The model queue is full ({queued} of {capacity} windows waiting); retry shortly.")
{
    public int Queued { get; } = queued;
    public int Capacity { get; } = capacity;
}
