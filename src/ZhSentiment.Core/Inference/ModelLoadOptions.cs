namespace ZhSentiment.Inference;

/// <summary>How a model folder is turned into a running engine.</summary>
public sealed record ModelLoadOptions
{
    /// <summary><c>none</c> keeps fp32 weights; <c>int8</c> quantizes the encoder's matrix multiplications.</summary>
    public string Quantize { get; init; } = "none";

    /// <summary>ONNX Runtime intra-op threads; null means the machine's physical cores.</summary>
    public int? Threads { get; init; }

    /// <summary>Batches of up to this many padded tokens keep their activation memory for the next; see <see cref="OnnxClassifierOptions.ArenaKeepTokens"/>.</summary>
    public int ArenaKeepTokens { get; init; } = OnnxClassifierOptions.DefaultArenaKeepTokens;

    /// <summary>Where built ONNX models are cached; null means <c>$ZHSENTI_CACHE</c> or <c>~/.cache/zhsenti</c>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Batching, queue and long-text behaviour of the engine.</summary>
    public EngineOptions Engine { get; init; } = new();
}
