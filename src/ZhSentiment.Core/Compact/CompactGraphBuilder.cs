using System.Globalization;
using ZhSentiment.Graph;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Compact;

/// <summary>
/// The compact model as an ONNX graph that <see cref="Inference.OnnxClassifier"/> runs like any other: int32
/// <c>input_ids</c> and <c>attention_mask</c> [batch, sequence] → Gather the half-precision table → mask-weighted mean →
/// one Gemm whose matrix stacks the output layer over an identity for the linear part → <c>logits</c> [batch, labels].
/// </summary>
public static class CompactGraphBuilder
{
    public static OnnxGraph Build(CompactWeights weights)
    {
        var config = weights.Config;
        int width = weights.RowWidth, labels = weights.Labels, dim = config.Dim;
        var g = new OnnxGraph("zhsenti_ngram");
        g.AddInput("input_ids", OnnxDataType.Int32, "batch", "sequence");
        g.AddInput("attention_mask", OnnxDataType.Int32, "batch", "sequence");

        var half = new byte[weights.Table.Length * 2];
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(half.AsSpan());
        for (int i = 0; i < weights.Table.Length; i++) halves[i] = (Half)weights.Table[i];
        string table = g.AddInitializer("ngram_table", OnnxDataType.Float16, [config.Buckets, width], half);
        string rows = g.AddNode("Cast", [g.AddNode("Gather", [table, "input_ids"], ["rows_f16"])], ["rows"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Float));

        string mask = g.AddNode("Cast", ["attention_mask"], ["mask"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Float));
        string mask3 = g.AddNode("Unsqueeze", [mask, g.AddInitializer("axis_1", new long[] { 1 }, 1)], ["mask_row"]);
        string summed = g.AddNode("Squeeze", [g.AddNode("MatMul", [mask3, rows], ["summed_3d"]), "axis_1"], ["summed"]);
        string count = g.AddNode("ReduceSum", [mask, "axis_1"], ["count"], "", OnnxAttribute.Int("keepdims", 1));
        string safeCount = g.AddNode("Max", [count, g.AddInitializer("one", new float[] { 1f }, 1)], ["count_at_least_one"]);
        string pooled = g.AddNode("Div", [summed, safeCount], ["pooled"]);

        // [width, labels]: Outputᵀ on top, identity below, so one Gemm adds both parts.
        var head = new float[width * labels];
        for (int l = 0; l < labels; l++)
        {
            for (int d = 0; d < dim; d++) head[d * labels + l] = weights.Output[l * dim + d];
            head[(dim + l) * labels + l] = 1f;
        }
        g.AddNode("Gemm", [pooled, g.AddInitializer("head_weight", head, width, labels), g.AddInitializer("head_bias", weights.Bias, labels)], ["logits"]);
        g.AddOutput("logits", OnnxDataType.Float, "batch", (long)labels);
        return g;
    }

    /// <summary>Metadata read by <see cref="Inference.OnnxClassifier"/>: the longest window.</summary>
    public static Dictionary<string, string> Metadata(CompactConfig config) => new()
    {
        [BertGraphBuilder.MaxSequenceLengthKey] = config.MaxSequenceLength.ToString(CultureInfo.InvariantCulture),
    };
}
