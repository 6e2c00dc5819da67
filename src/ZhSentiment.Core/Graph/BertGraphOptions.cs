namespace ZhSentiment.Graph;

/// <summary>How <see cref="BertGraphBuilder"/> builds the graph.</summary>
public sealed record BertGraphOptions
{
    public static BertGraphOptions Float32 { get; } = new();
    public static BertGraphOptions Int8 { get; } = new() { Quantize = true };

    /// <summary>
    /// Dynamic int8 quantization of the encoder's matrix multiplications: weights quantized per output column at
    /// build time, activations per tensor at run time; the word-embedding table is stored as int8 rows. LayerNorms,
    /// position and token-type embeddings, pooler and classifier stay float32.
    /// </summary>
    public bool Quantize { get; init; }

    internal Int8Weights WeightScheme { get; init; } = Int8Weights.Int7;

    /// <summary>A stable text naming everything that changes the built model (part of the cache key).</summary>
    internal string Describe() => Quantize ? $"int8-{WeightScheme}" : "fp32";
}
