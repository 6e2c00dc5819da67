using System.Globalization;
using ZhSentiment.Checkpoints;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Graph;

/// <summary>
/// Builds the ONNX graph of a BERT-family sequence classifier (BERT, StructBERT, ERNIE, DistilBERT, ELECTRA, ALBERT: one
/// post-LN encoder, told apart by names, embeddings and head; see <see cref="BertWeightNames"/>) from its weights, with ONNX Runtime's fused CPU operators:
/// EmbedLayerNormalization, Attention (one [H, 3H] QKV projection), SkipLayerNormalization (residual + bias +
/// LayerNorm) and BiasGelu (exact erf GELU). Inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>
/// (int32 <c>[batch, sequence]</c>); output <c>logits</c> (float <c>[batch, labels]</c>).
/// </summary>
public static class BertGraphBuilder
{
    /// <summary>Changes whenever the graph built from the same weights changes (part of the cache key).</summary>
    public const string Version = "2";

    /// <summary>Metadata key holding the longest sequence the graph accepts.</summary>
    public const string MaxSequenceLengthKey = "max_sequence_length";

    /// <summary>Metadata key recording the builder version and options (e.g. <c>1/int8-Int7</c>).</summary>
    public const string BuilderKey = "zhsenti.builder";

    private const string Ms = "com.microsoft";

    /// <summary>
    /// Builds the graph. Weights are looked up by HF or ModelScope name; unused tensors are ignored. A missing
    /// tensor or one of the wrong shape or type raises <see cref="ModelFormatException"/> naming
    /// <paramref name="source"/> (the weight file) and the tensor.
    /// </summary>
    public static OnnxGraph Build(BertConfig config, IReadOnlyDictionary<string, CheckpointTensor> weights,
        BertGraphOptions? options = null, string source = "weights")
    {
        options ??= BertGraphOptions.Float32;
        config.Validate();
        var w = new BertWeights(weights, source, config);
        var b = new Builder(new OnnxGraph("bert_sequence_classifier"), options);
        int h = config.HiddenSize, inter = config.IntermediateSize;

        var g = b.Graph;
        g.AddInput("input_ids", OnnxDataType.Int32, "batch", "sequence");
        g.AddInput("attention_mask", OnnxDataType.Int32, "batch", "sequence");
        g.AddInput("token_type_ids", OnnxDataType.Int32, "batch", "sequence");

        var epsilon = OnnxAttribute.Float("epsilon", config.LayerNormEps);
        string x = b.Embeddings(config, w, epsilon);

        // Only [CLS] feeds the pooler, so the last layer runs everything after attention on that row alone.
        string clsIndex = g.AddInitializer("cls_index", new long[] { 0 }, 1);
        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string p = $"encoder.layer.{layer}.";
            string n = $"l{layer}_";
            var qkv = new float[h * 3 * h];
            var qkvBias = new float[3 * h];
            string[] parts = ["query", "key", "value"];
            for (int part = 0; part < 3; part++)
            {
                var wt = w.LinearTransposed($"{p}attention.self.{parts[part]}.weight", h, h);
                for (int i = 0; i < h; i++) Array.Copy(wt, i * h, qkv, i * 3 * h + part * h, h);
                w.Backbone($"{p}attention.self.{parts[part]}.bias", h).CopyTo(qkvBias, part * h);
            }
            string attention = b.Attention(n, x, qkv, qkvBias, h, config.NumAttentionHeads);

            if (layer == config.NumHiddenLayers - 1)
            {
                attention = g.AddNode("Gather", [attention, clsIndex], [n + "attention_cls"], "", OnnxAttribute.Int("axis", 1));
                x = g.AddNode("Gather", [x, clsIndex], [n + "input_cls"], "", OnnxAttribute.Int("axis", 1));
            }

            string projected = b.MatMul(n + "attention_output", attention, w.LinearTransposed($"{p}attention.output.dense.weight", h, h), h, h);
            string x1 = g.AddNode("SkipLayerNormalization",
            [
                projected, x,
                g.AddInitializer(n + "attention_ln_gamma", w.Backbone($"{p}attention.output.LayerNorm.weight", h), h),
                g.AddInitializer(n + "attention_ln_beta", w.Backbone($"{p}attention.output.LayerNorm.bias", h), h),
                g.AddInitializer(n + "attention_output_bias", w.Backbone($"{p}attention.output.dense.bias", h), h),
            ], [n + "attention_ln"], Ms, epsilon);

            string up = b.MatMul(n + "intermediate", x1, w.LinearTransposed($"{p}intermediate.dense.weight", h, inter), h, inter);
            string upBias = g.AddInitializer(n + "intermediate_bias", w.Backbone($"{p}intermediate.dense.bias", inter), inter);
            string activated = config.HiddenAct switch
            {
                BertActivation.Gelu => g.AddNode("BiasGelu", [up, upBias], [n + "gelu"], Ms),
                BertActivation.GeluTanh => g.AddNode("FastGelu", [up, upBias], [n + "gelu"], Ms),
                _ => g.AddNode("Relu", [g.AddNode("Add", [up, upBias], [n + "intermediate_biased"])], [n + "relu"]),
            };
            string down = b.MatMul(n + "output", activated, w.LinearTransposed($"{p}output.dense.weight", inter, h), inter, h);
            x = g.AddNode("SkipLayerNormalization",
            [
                down, x1,
                g.AddInitializer(n + "output_ln_gamma", w.Backbone($"{p}output.LayerNorm.weight", h), h),
                g.AddInitializer(n + "output_ln_beta", w.Backbone($"{p}output.LayerNorm.bias", h), h),
                g.AddInitializer(n + "output_bias", w.Backbone($"{p}output.dense.bias", h), h),
            ], [n + "output_ln"], Ms, epsilon);
        }

        string cls = g.AddNode("Squeeze", [x, g.AddInitializer("squeeze_axes", new long[] { 1 }, 1)], ["cls"]);
        var transB = OnnxAttribute.Int("transB", 1);
        string poolerDense = g.AddNode("Gemm",
        [
            cls,
            g.AddInitializer("pooler_weight", w.Backbone("pooler.dense.weight", h, h), h, h),
            g.AddInitializer("pooler_bias", w.Backbone("pooler.dense.bias", h), h),
        ], ["pooler_dense"], "", transB);
        string pooled = config.PoolerActivation switch
        {
            PoolerActivation.Tanh => g.AddNode("Tanh", [poolerDense], ["pooled"]),
            PoolerActivation.Relu => g.AddNode("Relu", [poolerDense], ["pooled"]),
            _ => g.AddNode("Gelu", [poolerDense], ["pooled"], Ms),
        };
        int labels = config.NumLabels;
        g.AddNode("Gemm",
        [
            pooled,
            g.AddInitializer("classifier_weight", w.Head("classifier.weight", labels, h), labels, h),
            g.AddInitializer("classifier_bias", w.Head("classifier.bias", labels), labels),
        ], ["logits"], "", transB);
        g.AddOutput("logits", OnnxDataType.Float, "batch", (long)labels);
        return g;
    }

    /// <summary>Model metadata to save with a graph built for <paramref name="config"/>.</summary>
    public static Dictionary<string, string> Metadata(BertConfig config, BertGraphOptions options) => new()
    {
        [MaxSequenceLengthKey] = config.MaxPositionEmbeddings.ToString(CultureInfo.InvariantCulture),
        [BuilderKey] = $"{Version}/{options.Describe()}",
    };

    /// <summary>Emits the projections in float32 or, when quantizing, with ONNX Runtime's dynamic int8 operators.</summary>
    private sealed class Builder(OnnxGraph graph, BertGraphOptions options)
    {
        public OnnxGraph Graph { get; } = graph;

        /// <summary>
        /// Word + position + token-type embeddings and their LayerNorm. In float32, ORT's fused
        /// EmbedLayerNormalization. When quantizing, the word table (nearly all of what would otherwise stay float) is
        /// stored as int8 rows with a scale each and dequantized after the Gather, so only the rows a batch uses
        /// become float; the sum and LayerNorm are one SkipLayerNormalization.
        /// </summary>
        public string Embeddings(BertConfig config, BertWeights w, OnnxAttribute epsilon)
        {
            string embeddings = EmbeddingSum(config, w, epsilon);
            if (config.EmbeddingSize is not { } e) return embeddings;
            // ELECTRA and ALBERT project the (narrower) embeddings to the encoder's width.
            int h = config.HiddenSize;
            string projected = MatMul("embedding_projection", embeddings, w.LinearTransposed("embeddings.projection.weight", e, h), e, h);
            return Graph.AddNode("Add", [projected, Graph.AddInitializer("embedding_projection_bias", w.Backbone("embeddings.projection.bias", h), h)], ["embeddings_projected"]);
        }

        private string EmbeddingSum(BertConfig config, BertWeights w, OnnxAttribute epsilon)
        {
            int h = config.EmbeddingSize ?? config.HiddenSize;
            var words = w.Backbone("embeddings.word_embeddings.weight", config.VocabSize, h);
            var positionTable = w.Backbone("embeddings.position_embeddings.weight", config.MaxPositionEmbeddings, h);
            if (config.TaskTypeVocabSize > 0)
            {
                // ERNIE adds the embedding of task type 0 to every token: the same vector at every position, so it is
                // folded into the position table and the fused embedding operator stays as it is.
                var task = w.Backbone("embeddings.task_type_embeddings.weight", config.TaskTypeVocabSize, h);
                for (int p = 0; p < config.MaxPositionEmbeddings; p++)
                    for (int j = 0; j < h; j++) positionTable[p * h + j] += task[j];
            }
            string positions = Graph.AddInitializer("position_embeddings", positionTable, config.MaxPositionEmbeddings, h);
            // A model without token types (DistilBERT) gets one zero row: the engine always feeds token type 0.
            string tokenTypes = config.TypeVocabSize > 0
                ? Graph.AddInitializer("token_type_embeddings", w.Backbone("embeddings.token_type_embeddings.weight", config.TypeVocabSize, h), config.TypeVocabSize, h)
                : Graph.AddInitializer("token_type_embeddings", new float[h], 1, h);
            string gamma = Graph.AddInitializer("embeddings_ln_gamma", w.Backbone("embeddings.LayerNorm.weight", h), h);
            string beta = Graph.AddInitializer("embeddings_ln_beta", w.Backbone("embeddings.LayerNorm.bias", h), h);
            if (!options.Quantize)
                return Graph.AddNode("EmbedLayerNormalization",
                [
                    "input_ids", "token_type_ids",
                    Graph.AddInitializer("word_embeddings", words, config.VocabSize, h), positions, tokenTypes, gamma, beta,
                ], ["embeddings", "embeddings_mask_index"], Ms, epsilon); // ORT's shape inference requires the (unused) mask_index output.

            var (q, scales) = WeightQuantizer.QuantizeRows(words, config.VocabSize, h);
            string wordRows = Graph.AddNode("Gather", [Graph.AddInitializer("word_embeddings_q", q, config.VocabSize, h), "input_ids"], ["word_rows_q"]);
            string wordScales = Graph.AddNode("Gather", [Graph.AddInitializer("word_embeddings_scale", scales, config.VocabSize, 1), "input_ids"], ["word_rows_scale"]);
            string wordVectors = Graph.AddNode("Mul",
                [Graph.AddNode("Cast", [wordRows], ["word_rows"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Float)), wordScales],
                ["word_vectors"]);

            // Positions 0 … sequence − 1, as EmbedLayerNormalization takes them when given no position ids.
            string sequence = Graph.AddNode("Gather",
                [Graph.AddNode("Shape", ["input_ids"], ["input_shape"]), Graph.AddInitializer("sequence_axis", new long[] { 1 })],
                ["sequence_length"], "", OnnxAttribute.Int("axis", 0));
            string positionIds = Graph.AddNode("Range",
                [Graph.AddInitializer("range_start", new long[] { 0 }), sequence, Graph.AddInitializer("range_step", new long[] { 1 })],
                ["position_ids"]);
            string positionVectors = Graph.AddNode("Gather", [positions, positionIds], ["position_vectors"]);
            string typeVectors = Graph.AddNode("Gather", [tokenTypes, "token_type_ids"], ["token_type_vectors"]);
            string others = Graph.AddNode("Add", [typeVectors, positionVectors], ["position_and_type_vectors"]);
            return Graph.AddNode("SkipLayerNormalization", [wordVectors, others, gamma, beta], ["embeddings"], Ms, epsilon);
        }

        public string MatMul(string name, string input, float[] weight, int k, int n)
        {
            if (!options.Quantize)
                return Graph.AddNode("MatMul", [input, Graph.AddInitializer(name + "_weight", weight, k, n)], [name]);
            var (q, scale, zeroPoint) = AddQuantized(name, weight, k, n);
            return Graph.AddNode("DynamicQuantizeMatMul", [input, q, scale, zeroPoint], [name], Ms);
        }

        public string Attention(string prefix, string input, float[] qkv, float[] qkvBias, int h, int heads)
        {
            var numHeads = OnnxAttribute.Int("num_heads", heads);
            string bias = Graph.AddInitializer(prefix + "qkv_bias", qkvBias, 3 * h);
            if (!options.Quantize)
                return Graph.AddNode("Attention", [input, Graph.AddInitializer(prefix + "qkv_weight", qkv, h, 3 * h), bias, "attention_mask"],
                    [prefix + "attention"], Ms, numHeads);

            string[] quantized = [prefix + "attention_input_q", prefix + "attention_input_scale", prefix + "attention_input_zero_point"];
            Graph.AddNode("DynamicQuantizeLinear", [input], quantized);
            var (q, scale, zeroPoint) = AddQuantized(prefix + "qkv", qkv, h, 3 * h);
            return Graph.AddNode("QAttention", [quantized[0], q, bias, quantized[1], scale, "attention_mask", quantized[2], zeroPoint],
                [prefix + "attention"], Ms, numHeads);
        }

        private (string Weight, string Scale, string ZeroPoint) AddQuantized(string name, float[] weight, int k, int n)
        {
            var m = WeightQuantizer.Quantize(weight, k, n, options.WeightScheme);
            var type = m.Signed ? OnnxDataType.Int8 : OnnxDataType.UInt8;
            return (Graph.AddInitializer(name + "_weight_q", type, [k, n], m.Data),
                Graph.AddInitializer(name + "_weight_scale", m.Scales, n),
                Graph.AddInitializer(name + "_weight_zero_point", type, [n], m.ZeroPoints));
        }
    }
}
