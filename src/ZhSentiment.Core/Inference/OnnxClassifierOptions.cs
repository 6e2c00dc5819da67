namespace ZhSentiment.Inference;

/// <summary>Session settings of <see cref="OnnxClassifier"/>.</summary>
public sealed record OnnxClassifierOptions
{
    /// <summary>Threads of one inference; 0 lets ONNX Runtime use one per physical core.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Batches of at most this many padded tokens keep their activation memory in ONNX Runtime's arena for the next
    /// batch; larger ones hand it back to the system after their run. Otherwise the arena would keep the activations
    /// of the largest batch ever run (20 rows of 400 tokens: +800 MB at BERT-base) for the life of the process.
    /// Batches that keep it run faster: with no arena every run re-faults its activation pages, 15% slower at 8 rows
    /// of 47 tokens (tools/GraphBench `ab`). The default keeps a full batch of short reviews (8 rows of up to 64
    /// tokens). Int8 BERT-base after the benchmark's phases: 232 MB at 512, 289 MB at 1024, with no throughput
    /// difference beyond noise (`ZhSentiment__ArenaKeepTokens=N bench/run --quick --systems int8 --build framework`).
    /// </summary>
    public int ArenaKeepTokens { get; init; } = DefaultArenaKeepTokens;

    public const int DefaultArenaKeepTokens = 512;

    /// <summary>
    /// True for graphs <see cref="Graph.BertGraphBuilder"/> built, which are fused as intended already: ORT runs them with
    /// its basic optimizations only, since its extended fusions would just turn their Add + LayerNormalization back
    /// into SkipLayerNormalization, whose CPU kernel is 5.5 times slower. Exports made elsewhere get every optimization.
    /// </summary>
    public bool FusedByBuilder { get; init; }

    /// <summary>The longest row accepted; by default the model's <c>max_sequence_length</c> metadata, else 512.</summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>Applied after the defaults: lets tools/GraphBench measure the alternatives to them.</summary>
    internal Action<Microsoft.ML.OnnxRuntime.SessionOptions>? ConfigureSession { get; init; }
}
