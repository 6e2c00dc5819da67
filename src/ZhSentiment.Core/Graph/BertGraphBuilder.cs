using System.Globalization;
using ZhSentiment.Checkpoints;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Graph;

/// <summary>
/// Builds the ONNX graph of a BERT-family sequence classifier (BERT, StructBERT, ERNIE, DistilBERT, ELECTRA, ALBERT,
/// XLM-RoBERTa: one
/// post-LN encoder, told apart by names, embeddings and head; see <see cref="BertWeightNames"/>) from its weights, with ONNX Runtime's fused CPU operators:
/// EmbedLayerNormalization, Attention (one [H, 3H] QKV projection) and BiasGelu (exact erf GELU); residual + bias +
/// LayerNorm is Add, Add and ONNX's LayerNormalization (see <c>SkipLayerNorm</c>). Inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>
/// (int32 <c>[batch, sequence]</c>); output <c>logits</c> (float <c>[batch, labels]</c>).
/// </summary>
public static class BertGraphBuilder
{
    /// <summary>Changes whenever the graph built from the same weights changes (part of the cache key).</summary>
    public const string Version = "3";

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
        int h = config.HiddenSize;

        var g = b.Graph;
        g.AddInput("input_ids", OnnxDataType.Int32, "batch", "sequence");
        g.AddInput("attention_mask", OnnxDataType.Int32, "batch", "sequence");
        g.AddInput("token_type_ids", OnnxDataType.Int32, "batch", "sequence");

        var epsilon = OnnxAttribute.Float("epsilon", config.LayerNormEps);
        string x = config.PreLayerNorm ? PreLayerNormEncoder(config, w, b, epsilon) : PostLayerNormEncoder(config, w, b, epsilon);

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

    /// <summary>
    /// BERT's post-LN layers: <c>x = LN(x + attention(x))</c>, then <c>x = LN(x + ffn(x))</c>. Returns the [CLS] row of the
    /// last layer ([batch, 1, hidden]).
    /// </summary>
    private static string PostLayerNormEncoder(BertConfig config, BertWeights w, Builder b, OnnxAttribute epsilon)
    {
        var g = b.Graph;
        int h = config.HiddenSize;
        string x = b.Embeddings(config, w, epsilon);
        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string p = $"encoder.layer.{layer}.", n = $"l{layer}_";
            string attention = b.SelfAttention(config, w, n, p, x);
            if (layer == config.NumHiddenLayers - 1) (attention, x) = (b.ClsRow(n + "attention", attention), b.ClsRow(n + "input", x));
            string projected = b.MatMul(n + "attention_output", attention, w.LinearTransposed($"{p}attention.output.dense.weight", h, h), h, h);
            string x1 = b.SkipLayerNorm(n + "attention_ln", projected, x, w, $"{p}attention.output.LayerNorm", $"{p}attention.output.dense.bias", h, epsilon).Normed;
            string down = b.FeedForward(config, w, n, p, x1);
            x = b.SkipLayerNorm(n + "output_ln", down, x1, w, $"{p}output.LayerNorm", $"{p}output.dense.bias", h, epsilon).Normed;
        }
        return x;
    }

    /// <summary>
    /// MegatronBERT's pre-LN layers (transformers' modeling_megatron_bert): <c>x += attention(LN(x))</c>, then
    /// <c>x += ffn(LN(x))</c>, a final LayerNorm after the last layer, and no LayerNorm on the embeddings. Each
    /// residual LayerNorm adds the residual and normalises for the next block, and hands the sum on as the residual.
    /// </summary>
    private static string PreLayerNormEncoder(BertConfig config, BertWeights w, Builder b, OnnxAttribute epsilon)
    {
        int h = config.HiddenSize;
        string LayerNormBefore(int layer) => layer < config.NumHiddenLayers ? $"encoder.layer.{layer}.attention.ln" : "encoder.ln";
        var (normed, residual) = b.PreLayerNormEmbeddings(config, w, LayerNormBefore(0), epsilon);
        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string p = $"encoder.layer.{layer}.", n = $"l{layer}_";
            string attention = b.SelfAttention(config, w, n, p, normed);
            if (layer == config.NumHiddenLayers - 1) (attention, residual) = (b.ClsRow(n + "attention", attention), b.ClsRow(n + "input", residual));
            string projected = b.MatMul(n + "attention_output", attention, w.LinearTransposed($"{p}attention.output.dense.weight", h, h), h, h);
            (normed, residual) = b.SkipLayerNorm(n + "ffn_ln", projected, residual, w, $"{p}ln", $"{p}attention.output.dense.bias", h, epsilon);
            string down = b.FeedForward(config, w, n, p, normed);
            (normed, residual) = b.SkipLayerNorm(n + "next_ln", down, residual, w, LayerNormBefore(layer + 1), $"{p}output.dense.bias", h, epsilon);
        }
        return normed;
    }

    /// <summary>Model metadata to save with a graph built for <paramref name="config"/>.</summary>
    public static Dictionary<string, string> Metadata(BertConfig config, BertGraphOptions options) => new()
    {
        [MaxSequenceLengthKey] = config.MaxSequenceLength.ToString(CultureInfo.InvariantCulture),
        [BuilderKey] = $"{Version}/{options.Describe()}",
    };

    /// <summary>Emits the projections in float32 or, when quantizing, with ONNX Runtime's dynamic int8 operators.</summary>
    private sealed class Builder(OnnxGraph graph, BertGraphOptions options)
    {
        public OnnxGraph Graph { get; } = graph;

        private string? _clsIndex;

        /// <summary>
        /// Word + position + token-type embeddings and their LayerNorm. In float32, ORT's fused
        /// EmbedLayerNormalization. When quantizing, the word table (nearly all of what would otherwise stay float) is
        /// stored as int8 rows with a scale each and dequantized after the Gather, so only the rows a batch uses
        /// become float; then the sum and its LayerNorm.
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
            var (words, positions, tokenTypes) = Tables(config, w, h);
            string gamma = Graph.AddInitializer("embeddings_ln_gamma", w.Backbone("embeddings.LayerNorm.weight", h), h);
            string beta = Graph.AddInitializer("embeddings_ln_beta", w.Backbone("embeddings.LayerNorm.bias", h), h);
            // EmbedLayerNormalization numbers positions 0, 1, 2…; XLM-R's are counted from its padding index.
            if (!options.Quantize && config.PaddingIdx is null)
                return Graph.AddNode("EmbedLayerNormalization",
                [
                    "input_ids", "token_type_ids",
                    Graph.AddInitializer("word_embeddings", words, config.VocabSize, h), positions, tokenTypes, gamma, beta,
                ], ["embeddings", "embeddings_mask_index"], Ms, epsilon); // ORT's shape inference requires the (unused) mask_index output.
            string sum = Graph.AddNode("Add", [WordVectors(config, words, h), OtherVectors(config, positions, tokenTypes)], ["embeddings_sum"]);
            return Graph.AddNode("LayerNormalization", [sum, gamma, beta], ["embeddings"], "", epsilon, OnnxAttribute.Int("axis", -1));
        }

        /// <summary>MegatronBERT's embeddings: the plain sum (the residual stream) and its LayerNorm by <paramref name="firstLayerNorm"/>.</summary>
        public (string Normed, string Sum) PreLayerNormEmbeddings(BertConfig config, BertWeights w, string firstLayerNorm, OnnxAttribute epsilon)
        {
            int h = config.HiddenSize;
            var (words, positions, tokenTypes) = Tables(config, w, h);
            return SkipLayerNorm("embeddings", WordVectors(config, words, h), OtherVectors(config, positions, tokenTypes), w, firstLayerNorm, null, h, epsilon);
        }

        /// <summary>The word table (row-major, as stored) and the position and token-type tables as initializers.</summary>
        private (float[] Words, string Positions, string TokenTypes) Tables(BertConfig config, BertWeights w, int h)
        {
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
            return (words, positions, tokenTypes);
        }

        /// <summary>The input's word vectors: from int8 rows with a scale each when quantizing, else from the float table.</summary>
        private string WordVectors(BertConfig config, float[] words, int h)
        {
            if (!options.Quantize)
                return Graph.AddNode("Gather", [Graph.AddInitializer("word_embeddings", words, config.VocabSize, h), "input_ids"], ["word_vectors"]);
            var (q, scales) = WeightQuantizer.QuantizeRows(words, config.VocabSize, h);
            string wordRows = Graph.AddNode("Gather", [Graph.AddInitializer("word_embeddings_q", q, config.VocabSize, h), "input_ids"], ["word_rows_q"]);
            string wordScales = Graph.AddNode("Gather", [Graph.AddInitializer("word_embeddings_scale", scales, config.VocabSize, 1), "input_ids"], ["word_rows_scale"]);
            return Graph.AddNode("Mul",
                [Graph.AddNode("Cast", [wordRows], ["word_rows"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Float)), wordScales],
                ["word_vectors"]);
        }

        /// <summary>Position plus token-type vectors.</summary>
        private string OtherVectors(BertConfig config, string positions, string tokenTypes)
        {
            string positionVectors = Graph.AddNode("Gather", [positions, PositionIds(config)], ["position_vectors"]);
            string typeVectors = Graph.AddNode("Gather", [tokenTypes, "token_type_ids"], ["token_type_vectors"]);
            return Graph.AddNode("Add", [typeVectors, positionVectors], ["position_and_type_vectors"]);
        }

        /// <summary>
        /// 0 … sequence − 1, as EmbedLayerNormalization takes them; for XLM-R, transformers'
        /// <c>create_position_ids_from_input_ids</c>: <c>cumsum(id ≠ pad) · (id ≠ pad) + pad</c>, so a pad token typed in
        /// the text keeps the padding position and the tokens after it are counted as PyTorch counts them.
        /// </summary>
        private string PositionIds(BertConfig config)
        {
            if (config.PaddingIdx is not { } pad)
            {
                string sequence = Graph.AddNode("Gather",
                    [Graph.AddNode("Shape", ["input_ids"], ["input_shape"]), Graph.AddInitializer("sequence_axis", new long[] { 1 })],
                    ["sequence_length"], "", OnnxAttribute.Int("axis", 0));
                return Graph.AddNode("Range",
                    [Graph.AddInitializer("range_start", new long[] { 0 }), sequence, Graph.AddInitializer("range_step", new long[] { 1 })],
                    ["position_ids"]);
            }
            string padId = Graph.AddInitializer("padding_idx", new[] { pad });
            string notPad = Graph.AddNode("Cast",
                [Graph.AddNode("Not", [Graph.AddNode("Equal", ["input_ids", padId], ["is_pad"])], ["is_token"])],
                ["token_ones"], "", OnnxAttribute.Int("to", (long)OnnxDataType.Int32));
            string counted = Graph.AddNode("CumSum", [notPad, Graph.AddInitializer("cumsum_axis", new[] { 1 })], ["token_counts"]);
            return Graph.AddNode("Add", [Graph.AddNode("Mul", [counted, notPad], ["token_positions"]), padId], ["position_ids"]);
        }

        /// <summary>Self-attention of layer <paramref name="p"/> over <paramref name="input"/>, with one [H, 3H] QKV projection.</summary>
        public string SelfAttention(BertConfig config, BertWeights w, string n, string p, string input)
        {
            int h = config.HiddenSize;
            var qkv = new float[h * 3 * h];
            var qkvBias = new float[3 * h];
            string[] parts = ["query", "key", "value"];
            for (int part = 0; part < 3; part++)
            {
                var wt = w.LinearTransposed($"{p}attention.self.{parts[part]}.weight", h, h);
                for (int i = 0; i < h; i++) Array.Copy(wt, i * h, qkv, i * 3 * h + part * h, h);
                w.Backbone($"{p}attention.self.{parts[part]}.bias", h).CopyTo(qkvBias, part * h);
            }
            return Attention(n, input, qkv, qkvBias, h, config.NumAttentionHeads);
        }

        /// <summary>The [CLS] row of [batch, sequence, hidden]: only it feeds the pooler, so the last layer runs the rest on it alone.</summary>
        public string ClsRow(string name, string input)
        {
            _clsIndex ??= Graph.AddInitializer("cls_index", new long[] { 0 }, 1);
            return Graph.AddNode("Gather", [input, _clsIndex], [name + "_cls"], "", OnnxAttribute.Int("axis", 1));
        }

        /// <summary>
        /// <c>LN(input + bias + skip)</c> with the LayerNorm <paramref name="layerNorm"/> (<c>.weight</c>/<c>.bias</c>), and
        /// the sum itself. Two Adds and ONNX's LayerNormalization, not ORT's fused SkipLayerNormalization: its CPU
        /// kernel takes 5.5 times as long for the same work (6.3 against 1.1 ns per element, tools/GraphBench
        /// <c>norm</c>); so the session runs without ORT's extended fusions, which would fuse them back
        /// (<see cref="Inference.OnnxClassifierOptions.FusedByBuilder"/>).
        /// </summary>
        public (string Normed, string Sum) SkipLayerNorm(string name, string input, string skip, BertWeights w, string layerNorm,
            string? bias, int h, OnnxAttribute epsilon)
        {
            string biased = bias is null ? input
                : Graph.AddNode("Add", [input, Graph.AddInitializer(name + "_bias", w.Backbone(bias, h), h)], [name + "_biased"]);
            string sum = Graph.AddNode("Add", [biased, skip], [name + "_sum"]);
            Graph.AddNode("LayerNormalization",
            [
                sum,
                Graph.AddInitializer(name + "_gamma", w.Backbone(layerNorm + ".weight", h), h),
                Graph.AddInitializer(name + "_beta", w.Backbone(layerNorm + ".bias", h), h),
            ], [name], "", epsilon, OnnxAttribute.Int("axis", -1));
            return (name, sum);
        }

        /// <summary>The feed-forward block of layer <paramref name="p"/> without its output bias (which the next residual LayerNorm adds).</summary>
        public string FeedForward(BertConfig config, BertWeights w, string n, string p, string input)
        {
            int h = config.HiddenSize, inter = config.IntermediateSize;
            string up = MatMul(n + "intermediate", input, w.LinearTransposed($"{p}intermediate.dense.weight", h, inter), h, inter);
            string upBias = Graph.AddInitializer(n + "intermediate_bias", w.Backbone($"{p}intermediate.dense.bias", inter), inter);
            string activated = config.HiddenAct switch
            {
                BertActivation.Gelu => Graph.AddNode("BiasGelu", [up, upBias], [n + "gelu"], Ms),
                BertActivation.GeluTanh => Graph.AddNode("FastGelu", [up, upBias], [n + "gelu"], Ms),
                _ => Graph.AddNode("Relu", [Graph.AddNode("Add", [up, upBias], [n + "intermediate_biased"])], [n + "relu"]),
            };
            return MatMul(n + "output", activated, w.LinearTransposed($"{p}output.dense.weight", inter, h), inter, h);
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
