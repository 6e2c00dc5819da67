namespace ZhSentiment.Inference;

/// <summary>Session settings of <see cref="OnnxClassifier"/>.</summary>
public sealed record OnnxClassifierOptions
{
    /// <summary>Threads of one inference; 0 lets ONNX Runtime use one per physical core.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>The longest row accepted; by default the model's <c>max_sequence_length</c> metadata, else 512.</summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>Applied after the defaults: lets tools/GraphBench measure the alternatives to them.</summary>
    internal Action<Microsoft.ML.OnnxRuntime.SessionOptions>? ConfigureSession { get; init; }
}
