namespace ZhSentiment.Inference;

/// <summary>
/// Runs a sequence classifier on padded batches. One instance serves every request; <see cref="Run"/> is called
/// from one thread at a time (the batcher's), so implementations may reuse buffers between calls.
/// </summary>
public interface IClassifierBackend : IDisposable
{
    /// <summary>Number of output classes (logits per row).</summary>
    int LabelCount { get; }

    /// <summary>The longest row the model accepts, special tokens included.</summary>
    int MaxSequenceLength { get; }

    /// <summary>Computes the logits of every row: <paramref name="logits"/> holds <c>batch.Rows * LabelCount</c> values.</summary>
    void Run(EncodedBatch batch, Span<float> logits);
}
