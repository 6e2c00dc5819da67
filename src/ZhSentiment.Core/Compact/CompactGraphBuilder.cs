using System.Globalization;
using ZhSentiment.Graph;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Compact;

/// <summary>
/// The compact model as an ONNX graph that <see cref="Inference.OnnxClassifier"/> runs like any other: int32
/// <c>input_ids</c> and <c>attention_mask</c> [batch, sequence] → the heads' scores (the masked mean of the linear
/// table's rows; the output layer over the masked mean of the embedding table's rows; the convolution's maximum over
/// positions) → over each head's temperature → <c>logits</c> [batch, labels], the log-probabilities that
/// <see cref="CompactWeights.ScoresToLogits"/> computes. With emotions, the emotion head's scores (its own table's
/// rows, pooled alike, plus its bias, over its temperature) follow them in the same <c>logits</c> tensor
/// [batch, labels + emotions]. Tables are stored in half precision.
/// </summary>
public static class CompactGraphBuilder
{
    public static OnnxGraph Build(CompactWeights weights)
    {
        var config = weights.Config;
        int heads = weights.Heads, dim = config.Dim, labels = weights.Labels;
        var g = new OnnxGraph("zhsenti_ngram");
        g.AddInput("input_ids", OnnxDataType.Int32, "batch", "sequence");
        g.AddInput("attention_mask", OnnxDataType.Int32, "batch", "sequence");

        string mask = g.AddNode("Cast", ["attention_mask"], ["mask"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Float));
        string axis1 = g.AddInitializer("axis_1", new long[] { 1 }, 1);
        string maskRow = g.AddNode("Unsqueeze", [mask, axis1], ["mask_row"]);
        string one = g.AddInitializer("one", new float[] { 1f }, 1);
        // What a window's row sum is divided by: the count of its ids (at least one), or the count's square root.
        string Divisor(string positions, string name)
        {
            string count = g.AddNode("Max", [g.AddNode("ReduceSum", [positions, axis1], [name], "", OnnxAttribute.Int("keepdims", 1)), one], [name + "_at_least_one"]);
            return config.SqrtPooling ? g.AddNode("Sqrt", [count], ["sqrt_" + name]) : count;
        }
        string safeCount = Divisor(mask, "count");
        // Masked mean (or sum over the square root of the count) over the sequence of a [batch, sequence, width] tensor.
        string MaskedMean(string rows, string name, string divisor) =>
            g.AddNode("Div", [g.AddNode("Squeeze", [g.AddNode("MatMul", [maskRow, rows], [name + "_sum_3d"]), axis1], [name + "_sum"]), divisor], [name + "_mean"]);

        // With an emotion lexicon, ids from Buckets on are its classes: zero rows of the linear table, left out of its count.
        int lexicon = config.EmotionLexiconClasses;
        string? isNgram = null, linearCount = safeCount;
        if (lexicon > 0)
        {
            isNgram = g.AddNode("Less", ["input_ids", g.AddInitializer("buckets", new int[] { config.Buckets }, 1)], ["is_ngram"]);
            string ngramMask = g.AddNode("Mul", [mask, g.AddNode("Cast", [isNgram], ["is_ngram_float"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Float))], ["ngram_mask"]);
            linearCount = Divisor(ngramMask, "ngram_count");
        }
        var linear = lexicon > 0 ? [.. weights.Linear, .. new float[lexicon * heads]] : weights.Linear;
        string linearRows = Lookup(g, "linear_table", linear, config.Buckets + lexicon, heads, "input_ids");
        string scores = g.AddNode("Add", [MaskedMean(linearRows, "linear", linearCount), g.AddInitializer("head_bias", weights.Bias, heads)], ["linear_scores"]);
        if (dim > 0)
        {
            string rowIds = g.AddNode("Mod", ["input_ids", g.AddInitializer("embedding_rows", new int[] { config.EmbeddingRows }, 1)], ["embedding_ids"]);
            string embeddings = Lookup(g, "embedding_table", weights.Embeddings, config.EmbeddingRows, dim, rowIds);
            string bag = g.AddNode("MatMul", [MaskedMean(embeddings, "embedding", safeCount), g.AddInitializer("output_weight", Transpose(weights.Output, heads, dim), dim, heads)], ["bag_scores"]);
            scores = g.AddNode("Add", [scores, bag], ["bag_and_linear_scores"]);
            if (config.ConvFilters > 0) scores = g.AddNode("Add", [scores, Convolution(g, weights, embeddings, mask)], ["scores"]);
        }
        if (weights.Emotions == 0)
        {
            AddLogits(g, weights, scores, "logits");
        }
        else
        {
            string sentiment = AddLogits(g, weights, scores, "sentiment_logits");
            string rowIds = g.AddNode("Mod", ["input_ids", g.AddInitializer("emotion_buckets", new int[] { config.EmotionBuckets }, 1)], ["emotion_ids"]);
            if (isNgram is not null)
            {
                // A lexicon class's row follows the n-gram rows: id − Buckets + EmotionBuckets.
                string classRows = g.AddNode("Sub", ["input_ids", g.AddInitializer("lexicon_offset", new int[] { config.Buckets - config.EmotionBuckets }, 1)], ["lexicon_rows"]);
                rowIds = g.AddNode("Where", [isNgram, rowIds, classRows], ["emotion_rows_ids"]);
            }
            string emotionRows = Lookup(g, "emotion_table", weights.EmotionTable, config.EmotionBuckets + lexicon, weights.Emotions, rowIds);
            string emotionScores = g.AddNode("Add", [MaskedMean(emotionRows, "emotion", safeCount), g.AddInitializer("emotion_bias", weights.EmotionBias, weights.Emotions)], ["emotion_scores"]);
            string emotions = g.AddNode("Div", [emotionScores, g.AddInitializer("emotion_temperature", new[] { config.EmotionTemperature }, 1)], ["emotion_logits"]);
            g.AddNode("Concat", [sentiment, emotions], ["logits"], "", OnnxAttribute.Int("axis", 1));
        }
        g.AddOutput("logits", OnnxDataType.Float, "batch", (long)config.Outputs);
        return g;
    }

    /// <summary>Gathers <paramref name="ids"/>' rows of a half-precision table, as float [batch, sequence, width].</summary>
    private static string Lookup(OnnxGraph g, string name, float[] values, int rows, int width, string ids)
    {
        var half = new byte[values.Length * 2];
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(half.AsSpan());
        for (int i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
        string table = g.AddInitializer(name, OnnxDataType.Float16, [rows, width], half);
        return g.AddNode("Cast", [g.AddNode("Gather", [table, ids], [name + "_rows_f16"])], [name + "_rows"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Float));
    }

    /// <summary>
    /// The convolution branch: padding positions zeroed, Conv over [batch, dim, sequence] padded at the end (a filter
    /// starting near the end reads zeros, as in training), ReLU, padding positions zeroed again, the maximum over
    /// positions, then the filters' output layer: [batch, heads].
    /// </summary>
    private static string Convolution(OnnxGraph g, CompactWeights weights, string embeddings, string mask)
    {
        var config = weights.Config;
        int dim = config.Dim, filters = config.ConvFilters, width = config.ConvWidth;
        string maskColumn = g.AddNode("Unsqueeze", [mask, g.AddInitializer("axis_2", new long[] { 2 }, 1)], ["mask_column"]);
        string masked = g.AddNode("Mul", [embeddings, maskColumn], ["conv_input"]);
        string channels = g.AddNode("Transpose", [masked], ["conv_input_channels"], "", OnnxAttribute.Ints("perm", [0, 2, 1]));
        // ONNX's kernel is [filters, dim, width]; ours is [filters, width, dim].
        var kernel = new float[weights.ConvKernel.Length];
        for (int f = 0; f < filters; f++)
            for (int t = 0; t < width; t++)
                for (int d = 0; d < dim; d++) kernel[(f * dim + d) * width + t] = weights.ConvKernel[(f * width + t) * dim + d];
        string conv = g.AddNode("Conv", [channels, g.AddInitializer("conv_kernel", kernel, filters, dim, width), g.AddInitializer("conv_bias", weights.ConvBias, filters)], ["conv"], "",
            OnnxAttribute.Ints("pads", [0, width - 1]));
        string relu = g.AddNode("Relu", [conv], ["conv_relu"]);
        string kept = g.AddNode("Mul", [relu, g.AddNode("Unsqueeze", [mask, g.AddInitializer("axis_1_conv", new long[] { 1 }, 1)], ["mask_positions"])], ["conv_masked"]);
        // Opset 17: ReduceMax takes its axes as an attribute.
        string max = g.AddNode("ReduceMax", [kept], ["conv_max"], "", OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 0));
        return g.AddNode("MatMul", [max, g.AddInitializer("conv_output", Transpose(weights.ConvOutput, weights.Heads, filters), filters, weights.Heads)], ["conv_scores"]);
    }

    /// <summary>
    /// Scores [batch, heads] to logits. Two labels: p/T as [-p/2T, p/2T], one MatMul. Three labels: [p, -p, o, -o]
    /// (each over its temperature), their softplus s, then log P(负面) = -s(-o) - s(p), log P(中性) = -s(o),
    /// log P(正面) = -s(-o) - s(-p) as a second MatMul.
    /// </summary>
    private static string AddLogits(OnnxGraph g, CompactWeights weights, string scores, string output)
    {
        var config = weights.Config;
        float tp = CompactWeights.Temperature(config, 0);
        if (weights.Labels == 2)
        {
            return g.AddNode("MatMul", [scores, g.AddInitializer("to_logits", new[] { -0.5f / tp, 0.5f / tp }, 1, 2)], [output]);
        }
        float to = CompactWeights.Temperature(config, 1);
        float[] signs =
        [
            1 / tp, -1 / tp, 0, 0,
            0, 0, 1 / to, -1 / to,
        ];
        string signed = g.AddNode("MatMul", [scores, g.AddInitializer("to_signed_scores", signs, 2, 4)], ["signed_scores"]);
        string softplus = g.AddNode("Softplus", [signed], ["softplus"]);
        float[] combine =
        [
            -1, 0, 0,   // s(p)
            0, 0, -1,   // s(-p)
            0, -1, 0,   // s(o)
            -1, 0, -1,  // s(-o)
        ];
        return g.AddNode("MatMul", [softplus, g.AddInitializer("label_combination", combine, 4, 3)], [output]);
    }

    private static float[] Transpose(float[] matrix, int rows, int columns)
    {
        var t = new float[matrix.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) t[c * rows + r] = matrix[r * columns + c];
        return t;
    }

    /// <summary>Metadata read by <see cref="Inference.OnnxClassifier"/>: the longest window.</summary>
    public static Dictionary<string, string> Metadata(CompactConfig config) => new()
    {
        [BertGraphBuilder.MaxSequenceLengthKey] = config.MaxSequenceLength.ToString(CultureInfo.InvariantCulture),
    };
}
