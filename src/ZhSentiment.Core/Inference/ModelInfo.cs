namespace ZhSentiment.Inference;

/// <summary>What is being served: shown by <c>/info</c>, the web page and the CLI.</summary>
public sealed record ModelInfo
{
    /// <summary>A short name: the folder's name, the ModelScope id (<c>ORG/NAME[@REV]</c>), or <c>default</c> for the shipped model.</summary>
    public required string Name { get; init; }

    /// <summary>What the user asked for: a folder path or <c>modelscope:ORG/NAME[@REV]</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The folder the model's files are in (for a ModelScope model, its cache folder).</summary>
    public required string Folder { get; init; }

    /// <summary>The architecture family: <c>bert</c>, <c>structbert</c>, <c>onnx</c>, or the compact model's type.</summary>
    public required string Architecture { get; init; }

    /// <summary>Longest model window in tokens, special tokens included.</summary>
    public required int MaxSequenceLength { get; init; }

    /// <summary><c>none</c> or <c>int8</c>.</summary>
    public string Quantization { get; init; } = "none";

    /// <summary>
    /// How an int8 graph built here stores its matrix weights: <c>full-range</c> (−127…127, chosen where this CPU's
    /// int8 kernels add products in 32 bits: VNNI) or <c>7-bit</c> (−63…63, exact everywhere); null otherwise.
    /// </summary>
    public string? Int8Weights { get; init; }

    /// <summary>
    /// True when this project built the graph from the checkpoint and config.json, having checked their shapes against
    /// each other (so every window up to <see cref="MaxSequenceLength"/> runs); false for graphs made elsewhere.
    /// </summary>
    public bool BuiltFromCheckpoint { get; init; }

    /// <summary>The ONNX file the session runs (the built cache file for checkpoints).</summary>
    public string? OnnxPath { get; init; }

    public static string EngineVersion { get; } =
        typeof(ModelInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static string OnnxRuntimeVersion { get; } =
        typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "unknown";
}
