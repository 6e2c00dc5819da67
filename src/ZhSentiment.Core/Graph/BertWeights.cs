using ZhSentiment.Checkpoints;

namespace ZhSentiment.Graph;

/// <summary>
/// Looks up the tensors of a BERT classifier in a checkpoint by HF name (see <see cref="BertWeightNames"/>),
/// checking element type and shape, and converts them to float32.
/// </summary>
internal sealed class BertWeights(IReadOnlyDictionary<string, CheckpointTensor> tensors, string source, BertConfig config)
{
    /// <summary>A backbone tensor (embeddings, encoder, pooler), row-major as stored.</summary>
    public float[] Backbone(string name, params long[] shape) => Get(name, backbone: true, shape);

    /// <summary>A classification-head tensor, row-major as stored.</summary>
    public float[] Head(string name, params long[] shape) => Get(name, backbone: false, shape);

    /// <summary>
    /// A backbone <c>nn.Linear</c> weight, stored <c>[out, in]</c>, transposed to the <c>[in, out]</c> layout of
    /// ONNX MatMul.
    /// </summary>
    public float[] LinearTransposed(string name, int inFeatures, int outFeatures)
    {
        var w = Backbone(name, outFeatures, inFeatures);
        var t = new float[w.Length];
        for (int o = 0; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++)
                t[i * outFeatures + o] = w[o * inFeatures + i];
        return t;
    }

    private float[] Get(string name, bool backbone, long[] shape)
    {
        var candidates = BertWeightNames.Candidates(name, backbone, config).ToList();
        CheckpointTensor? tensor = null;
        foreach (var candidate in candidates)
            if (tensors.TryGetValue(candidate, out tensor)) break;
        if (tensor is null)
        {
            string others = candidates.Count > 1 ? $" (also looked for {string.Join(", ", candidates.Skip(1).Select(c => $"'{c}'"))})" : "";
            throw new ModelFormatException(source, $"missing tensor '{candidates[0]}'{others}");
        }

        if (tensor.DType is not (TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Float64))
            throw new ModelFormatException(source, $"tensor '{tensor.Name}' holds {tensor.DType}, expected floating-point values");
        if (!tensor.Shape.SequenceEqual(shape))
            throw new ModelFormatException(source, $"tensor '{tensor.Name}' has shape [{string.Join(",", tensor.Shape)}], expected [{string.Join(",", shape)}]");
        return tensor.ToFloat32();
    }
}
