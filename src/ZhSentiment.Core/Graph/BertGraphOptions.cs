namespace ZhSentiment.Graph;

/// <summary>How <see cref="BertGraphBuilder"/> builds the graph.</summary>
public sealed record BertGraphOptions
{
    public static BertGraphOptions Float32 { get; } = new();
    /// <summary>Int8 with 7-bit weights, exact on every x86 CPU: for converted folders, which may run elsewhere.</summary>
    public static BertGraphOptions Int8 { get; } = new() { Quantize = true };

    /// <summary>Int8 with the weights this CPU's kernels multiply exactly (<see cref="CpuInt8"/>): for the cache of this machine.</summary>
    public static BertGraphOptions Int8ForThisCpu => Int8 with { WeightScheme = CpuInt8.WeightScheme };

    /// <summary>
    /// Dynamic int8 quantization of the encoder's matrix multiplications: weights quantized per output column at
    /// build time, activations per tensor at run time; the word-embedding table is stored as int8 rows. LayerNorms,
    /// position and token-type embeddings, pooler and classifier stay float32.
    /// </summary>
    public bool Quantize { get; init; }

    internal Int8Weights WeightScheme { get; init; } = Int8Weights.Int7;

    /// <summary>
    /// A stable text naming everything that changes the built model (part of the cache key, and of the model's
    /// <see cref="BertGraphBuilder.BuilderKey"/> metadata): full-range and 7-bit entries never stand in for each other.
    /// </summary>
    internal string Describe() => Quantize ? $"int8-{WeightScheme}" : "fp32";

    /// <summary>The weight scheme a <see cref="Describe"/> text names; null for a float model or an unknown text.</summary>
    internal static Int8Weights? WeightSchemeOf(string described) =>
        described.StartsWith("int8-", StringComparison.Ordinal) && Enum.TryParse<Int8Weights>(described["int8-".Length..], out var scheme) ? scheme : null;
}
