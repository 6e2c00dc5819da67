using System.Globalization;
using System.Text.Json;

namespace ZhSentiment.Graph;

/// <summary>The feed-forward activation of a BERT layer (<c>hidden_act</c>).</summary>
public enum BertActivation
{
    /// <summary><c>gelu</c>: exact, erf-based GELU, as BERT and StructBERT use.</summary>
    Gelu,

    /// <summary><c>gelu_new</c> / <c>gelu_pytorch_tanh</c>: the tanh approximation.</summary>
    GeluTanh,

    Relu,
}

/// <summary>What turns the first token's hidden state into the classifier's input.</summary>
public enum PoolerActivation
{
    /// <summary>BERT's pooler (and ERNIE's, ALBERT's): dense + tanh.</summary>
    Tanh,

    /// <summary>DistilBERT's <c>pre_classifier</c>: dense + ReLU.</summary>
    Relu,

    /// <summary>ELECTRA's classification head: dense + exact GELU.</summary>
    Gelu,
}

/// <summary>
/// The architecture of a BERT-family sequence classifier, as its <c>config.json</c> (or a ModelScope
/// <c>configuration.json</c>'s inline backbone) describes it. Sizes are validated on construction.
/// </summary>
public sealed record BertConfig
{
    public const string FileName = "config.json";

    /// <summary>The <c>model_type</c>s whose checkpoints the graph builder reads.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["bert", "structbert", "ernie", "distilbert", "electra", "albert", "megatron-bert", "xlm-roberta"];

    /// <summary><c>model_type</c>: one of <see cref="SupportedModelTypes"/>; <c>bert</c> when the config names none.</summary>
    public string ModelType { get; init; } = "bert";

    /// <summary>
    /// ERNIE's task-type embedding table (<c>use_task_id</c>, <c>task_type_vocab_size</c> rows); 0 when the model has
    /// none. Inference feeds task type 0, as transformers' <c>ErnieEmbeddings</c> does by default.
    /// </summary>
    public int TaskTypeVocabSize { get; init; }

    /// <summary>
    /// Width of the embedding tables; ELECTRA and ALBERT project it to <see cref="HiddenSize"/> (<c>embedding_size</c>).
    /// Null when the embeddings are as wide as the encoder and nothing projects them.
    /// </summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>ALBERT: layers share the weights of <c>num_hidden_groups</c> groups; 1 for every other model.</summary>
    public int NumHiddenGroups { get; init; } = 1;

    /// <summary>MegatronBERT normalises before attention and feed-forward, with a final LayerNorm and none on the embeddings.</summary>
    public bool PreLayerNorm => ModelType == "megatron-bert";

    /// <summary>
    /// XLM-RoBERTa's <c>padding_idx</c> (<c>pad_token_id</c>, 1): positions count from it, as transformers'
    /// <c>create_position_ids_from_input_ids</c> numbers them (padding_idx + 1 for the first token, padding_idx for
    /// a pad token). Null for models whose positions run 0, 1, 2… (BERT and the others).
    /// </summary>
    public int? PaddingIdx { get; init; }

    /// <summary>The longest sequence the position table allows: all its rows, or those above XLM-R's padding index.</summary>
    public int MaxSequenceLength => MaxPositionEmbeddings - (PaddingIdx is { } pad ? pad + 1 : 0);

    public PoolerActivation PoolerActivation => ModelType switch
    {
        "distilbert" => PoolerActivation.Relu,
        "electra" => PoolerActivation.Gelu,
        _ => PoolerActivation.Tanh,
    };

    public required int HiddenSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int IntermediateSize { get; init; }
    public required int VocabSize { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 512;
    /// <summary>Token-type (segment) rows; 0 for a model without token types (DistilBERT).</summary>
    public int TypeVocabSize { get; init; } = 2;
    public float LayerNormEps { get; init; } = 1e-12f;
    public BertActivation HiddenAct { get; init; } = BertActivation.Gelu;

    /// <summary>Class names by class index (<c>id2label</c>); <c>LABEL_i</c> when the config names none.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>
    /// <c>problem_type</c> is <c>multi_label_classification</c>: the HF pipeline scores each class with a sigmoid (as it
    /// does a single-output model).
    /// </summary>
    public bool MultiLabel { get; init; }

    /// <summary>Where <see cref="Labels"/> came from, e.g. <c>config.json id2label</c>.</summary>
    public string LabelSource { get; init; } = FileName;

    /// <summary>The checkpoint's backbone prefix when the config names one (<c>base_model_prefix</c>), else null.</summary>
    public string? BaseModelPrefix { get; init; }

    public int NumLabels => Labels.Count;
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Reads and validates <c>config.json</c>.</summary>
    public static BertConfig Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, $"cannot read the model configuration: {e.Message}", e);
        }
        return Parse(json, path);
    }

    /// <summary>
    /// Parses and validates config JSON; <paramref name="file"/> names it in errors. <paramref name="typeKey"/> is
    /// where the architecture is named: <c>model_type</c> in config.json, <c>type</c> in a ModelScope backbone section.
    /// </summary>
    public static BertConfig Parse(string json, string file = FileName, string typeKey = "model_type")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(file, $"is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException(file, "must hold a JSON object");
            Text.JsonUnicode.Check(root, file);
            var reader = new Reader(root, file);
            var (labels, labelSource) = ReadLabels(reader, root, file);

            string modelType = reader.String(typeKey) ?? "bert";
            if (!SupportedModelTypes.Contains(modelType))
            {
                string declared = root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
                    ? $" ({a[0].GetRawText().Trim('"')})" : "";
                throw new ModelFormatException(file, $"{typeKey} '{modelType}'{declared} is not supported; supported: {string.Join(", ", SupportedModelTypes)}");
            }

            string? positionType = reader.String("position_embedding_type");
            if (positionType is not null and not "absolute")
                throw new ModelFormatException(file, $"position_embedding_type '{positionType}' is not supported (only 'absolute')");

            // DistilBERT names its sizes differently (transformers' DistilBertConfig), has no token types, and fixes
            // its LayerNorm epsilon at 1e-12 in the modeling code.
            bool distil = modelType == "distilbert";
            int hidden = reader.Int(distil ? "dim" : "hidden_size") ?? throw reader.Missing(distil ? "dim" : "hidden_size");
            // ElectraConfig and AlbertConfig default embedding_size to 128. ELECTRA projects only when it differs
            // from hidden_size; ALBERT always has its embedding_hidden_mapping_in.
            int? embedding = modelType is "electra" or "albert" ? reader.Int("embedding_size") ?? 128 : null;
            if (modelType == "electra" && embedding == hidden) embedding = null;
            if (modelType == "albert" && (reader.Int("inner_group_num") ?? 1) != 1)
                throw new ModelFormatException(file, $"inner_group_num {reader.Int("inner_group_num")} is not supported (only 1, as every published ALBERT has)");

            var config = new BertConfig
            {
                HiddenSize = hidden,
                NumHiddenLayers = reader.Int(distil ? "n_layers" : "num_hidden_layers") ?? throw reader.Missing(distil ? "n_layers" : "num_hidden_layers"),
                NumAttentionHeads = reader.Int(distil ? "n_heads" : "num_attention_heads") ?? throw reader.Missing(distil ? "n_heads" : "num_attention_heads"),
                IntermediateSize = reader.Int(distil ? "hidden_dim" : "intermediate_size") ?? throw reader.Missing(distil ? "hidden_dim" : "intermediate_size"),
                VocabSize = reader.Int("vocab_size") ?? throw reader.Missing("vocab_size"),
                MaxPositionEmbeddings = reader.Int("max_position_embeddings") ?? 512,
                TypeVocabSize = distil ? 0 : reader.Int("type_vocab_size") ?? 2,
                LayerNormEps = distil ? 1e-12f : (float)(reader.Double("layer_norm_eps") ?? 1e-12),
                HiddenAct = ParseActivation(reader.String(distil ? "activation" : "hidden_act") ?? "gelu", file),
                EmbeddingSize = embedding,
                NumHiddenGroups = modelType == "albert" ? reader.Int("num_hidden_groups") ?? 1 : 1,
                ModelType = modelType,
                MultiLabel = reader.String("problem_type") == "multi_label_classification",
                TaskTypeVocabSize = modelType == "ernie" && reader.Bool("use_task_id") == true ? reader.Int("task_type_vocab_size") ?? 3 : 0,
                Labels = labels,
                LabelSource = labelSource,
                BaseModelPrefix = reader.String("base_model_prefix"),
                // XLMRobertaConfig defaults pad_token_id to 1; the embeddings take it as padding_idx.
                PaddingIdx = modelType == "xlm-roberta" ? reader.Int("pad_token_id") ?? 1 : null,
            };
            config.Validate(file);
            return config;
        }
    }

    /// <summary>Throws <see cref="ModelFormatException"/> naming <paramref name="file"/> if a size is impossible.</summary>
    public void Validate(string file = FileName)
    {
        void Positive(string key, int value)
        {
            if (value <= 0) throw new ModelFormatException(file, $"{key} must be positive, not {value}");
        }
        Positive("hidden_size", HiddenSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("intermediate_size", IntermediateSize);
        Positive("vocab_size", VocabSize);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        if (TypeVocabSize < 0) throw new ModelFormatException(file, $"type_vocab_size must not be negative, not {TypeVocabSize}");
        if (EmbeddingSize is { } e) Positive("embedding_size", e);
        Positive("num_hidden_groups", NumHiddenGroups);
        if (NumHiddenLayers % NumHiddenGroups != 0)
            throw new ModelFormatException(file, $"num_hidden_groups ({NumHiddenGroups}) does not divide num_hidden_layers ({NumHiddenLayers})");
        Positive("num_labels", NumLabels);
        if (PaddingIdx is < 0) throw new ModelFormatException(file, $"pad_token_id must not be negative, not {PaddingIdx}");
        if (MaxSequenceLength < 3)
            throw new ModelFormatException(file, PaddingIdx is { } pad
                ? $"max_position_embeddings ({MaxPositionEmbeddings}) leaves fewer than 3 positions above pad_token_id {pad} (<s>, a token, </s>)"
                : $"max_position_embeddings must be at least 3 ([CLS], a token, [SEP]), not {MaxPositionEmbeddings}");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new ModelFormatException(file, $"num_attention_heads ({NumAttentionHeads}) does not divide hidden_size ({HiddenSize})");
        if (!(LayerNormEps >= 0) || float.IsInfinity(LayerNormEps))
            throw new ModelFormatException(file, $"layer_norm_eps must be a non-negative number, not {LayerNormEps}");
    }

    private static BertActivation ParseActivation(string name, string file) => name switch
    {
        "gelu" => BertActivation.Gelu,
        "gelu_new" or "gelu_pytorch_tanh" => BertActivation.GeluTanh,
        "relu" => BertActivation.Relu,
        _ => throw new ModelFormatException(file, $"hidden_act '{name}' is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, relu)"),
    };

    private static (string[] Labels, string Source) ReadLabels(Reader reader, JsonElement root, string file)
    {
        int? numLabels = reader.Int("num_labels");
        string[] labels;
        string source, name = Path.GetFileName(file);
        if (Present(root, "id2label", out var id2label))
            (labels, source) = (Inference.LabelMaps.FromId2Label(id2label, file, "id2label"), $"{name} id2label");
        else if (Present(root, "label2id", out var label2id)) // Some ModelScope configs carry only label2id.
            (labels, source) = (Inference.LabelMaps.FromLabel2Id(label2id, file, "label2id"), $"{name} label2id");
        else
        {
            int n = numLabels ?? 2;
            if (n <= 0) throw new ModelFormatException(file, $"num_labels must be positive, not {n}");
            return (Enumerable.Range(0, n).Select(i => $"LABEL_{i}").ToArray(), $"{name} (no label names: LABEL_k)");
        }
        if (numLabels is { } declared && declared != labels.Length)
            throw new ModelFormatException(file, $"num_labels ({declared}) disagrees with the {labels.Length} labels named");
        return (labels, source);
    }

    private static bool Present(JsonElement root, string key, out JsonElement value) =>
        root.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>Typed access to optional top-level fields, with errors naming the file and key.</summary>
    private readonly struct Reader(JsonElement root, string file)
    {
        public ModelFormatException Missing(string key) => new(file, $"has no '{key}'");

        public int? Int(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i))
                throw new ModelFormatException(file, $"'{key}' must be an integer, not {v.GetRawText()}");
            return i;
        }

        public double? Double(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Number) throw new ModelFormatException(file, $"'{key}' must be a number, not {v.GetRawText()}");
            return v.GetDouble();
        }

        public bool? Bool(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw new ModelFormatException(file, $"'{key}' must be true or false, not {v.GetRawText()}");
            return v.GetBoolean();
        }

        public string? String(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.String) throw new ModelFormatException(file, $"'{key}' must be a string, not {v.GetRawText()}");
            return v.GetString();
        }
    }
}
