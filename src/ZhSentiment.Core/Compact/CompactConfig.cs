using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZhSentiment.Compact;

/// <summary>The compact model's <c>config.json</c>: its type, labels, featurizer and table shape.</summary>
public sealed record CompactConfig
{
    public const string ModelType = "zhsenti-ngram";

    /// <summary>Labels in logit order.</summary>
    public IReadOnlyList<string> Labels { get; init; } = ["负面", "正面"];

    /// <summary>Shortest and longest character n-gram.</summary>
    public int MinN { get; init; } = 1;
    public int MaxN { get; init; } = 3;

    /// <summary>Rows of the hashed n-gram table.</summary>
    public int Buckets { get; init; } = 1 << 18;

    /// <summary>Width of the n-gram embeddings feeding the output layer and the convolution; 0 leaves only the linear part.</summary>
    public int Dim { get; init; } = 16;

    /// <summary>Rows of the embedding table: an id's embedding is row <c>id mod EmbeddingRows</c>.</summary>
    public int EmbeddingRows { get; init; } = 1 << 18;

    /// <summary>Filters of the convolution over the ids' embeddings; 0 for none.</summary>
    public int ConvFilters { get; init; }

    /// <summary>Consecutive ids one filter reads.</summary>
    public int ConvWidth { get; init; } = 9;

    /// <summary>Most n-gram ids in one window; longer texts are split into windows.</summary>
    public int MaxSequenceLength { get; init; } = 2048;

    /// <summary>
    /// Whether a window's rows are summed and divided by the square root of their number rather than averaged: a long
    /// text then scores further from zero than a short one with the same evidence, as with length-normalised TF-IDF.
    /// </summary>
    public bool SqrtPooling { get; init; }

    /// <summary>Whether traditional characters are read as their simplified forms (<see cref="Text.TraditionalChinese"/>).</summary>
    public bool FoldTraditional { get; init; }

    /// <summary>Whether each character is read once more tagged with its <see cref="Compact.ClauseRoles"/> role.</summary>
    public bool ClauseRoles { get; init; }

    /// <summary>
    /// How the model's scores become logits. <see cref="CompactOutput.Heads"/> (what training writes): a polarity head
    /// (positive against negative) and, with three labels, a subjectivity head (an opinion against neutral text), each
    /// a logistic score; then P(负面) = P(opinion)·P(negative | opinion), P(中性) = 1 − P(opinion),
    /// P(正面) = P(opinion)·P(positive | opinion), so the polar decision is the polarity head's alone.
    /// <see cref="CompactOutput.Softmax"/>: the first compact models, one softmax over labels, computed by their graph.
    /// </summary>
    public CompactOutput Output { get; init; } = CompactOutput.Heads;

    /// <summary>Temperatures dividing each head's score, fitted on held-out training data (calibration).</summary>
    public IReadOnlyList<float> HeadTemperatures { get; init; } = [];

    /// <summary>Scores a <see cref="CompactOutput.Heads"/> model computes: polarity, and subjectivity with three labels.</summary>
    public int Heads => Labels.Count - 1;

    /// <summary>
    /// The emotion head's labels (canonical names, <see cref="Inference.LabelMeaning.Emotions"/> order), whose logits
    /// follow the sentiment labels'; empty for a model without emotions. The head is linear over its own table
    /// (<see cref="EmotionBuckets"/>), pooled as the sentiment part is, one softmax over its labels.
    /// </summary>
    public IReadOnlyList<string> EmotionLabels { get; init; } = [];

    /// <summary>Rows of the emotion table: an id's row is <c>id mod EmotionBuckets</c>.</summary>
    public int EmotionBuckets { get; init; } = 1 << 20;

    /// <summary>The temperature dividing the emotion scores, fitted on held-out emotion rows; 1 when not calibrated.</summary>
    public float EmotionTemperature { get; init; } = 1f;

    public bool HasEmotions => EmotionLabels.Count > 0;

    /// <summary>
    /// Classes of the model's <see cref="EmotionLexicon"/> (stored beside it as <see cref="EmotionLexicon.FileName"/>);
    /// 0 for none. A word's class is id <c>Buckets + class</c>, row <c>EmotionBuckets + class</c> of the emotion table;
    /// the sentiment heads skip these ids, so that their answers are what they would be without the lexicon.
    /// </summary>
    public int EmotionLexiconClasses { get; init; }

    /// <summary>Outputs of the graph: the sentiment labels, then the emotions.</summary>
    public int Outputs => Labels.Count + EmotionLabels.Count;

    /// <summary>The model's label heads: the sentiment labels and, when it has them, the emotions.</summary>
    public Inference.LabelSet LabelSet() =>
        HasEmotions ? Inference.LabelSet.FromHeads([Labels, EmotionLabels]) : Inference.LabelSet.FromModelLabels(Labels);

    public void Validate(string file)
    {
        if (Labels.Count < 2) throw new ModelFormatException(file, "id2label must name at least two labels");
        if (MinN < 1 || MaxN < MinN || MaxN > 8) throw new ModelFormatException(file, $"ngram_range [{MinN}, {MaxN}] is not a range within 1..8");
        if (Buckets < 2) throw new ModelFormatException(file, $"buckets must be at least 2, not {Buckets}");
        if (Dim < 0 || Dim > 1024) throw new ModelFormatException(file, $"dim must be within 0..1024, not {Dim}");
        if (MaxSequenceLength < 1) throw new ModelFormatException(file, $"max_sequence_length must be positive, not {MaxSequenceLength}");
        if (EmbeddingRows < 1) throw new ModelFormatException(file, $"embedding_rows must be positive, not {EmbeddingRows}");
        if (ConvFilters < 0 || ConvFilters > 4096 || ConvWidth < 1 || ConvWidth > 64 || (ConvFilters > 0 && Dim == 0))
            throw new ModelFormatException(file, $"conv_filters {ConvFilters} and conv_width {ConvWidth} must be within 0..4096 and 1..64, and a convolution needs dim > 0");
        if (Output == CompactOutput.Heads && Labels.Count is not (2 or 3))
            throw new ModelFormatException(file, $"output 'heads' serves two labels (负面, 正面) or three (负面, 中性, 正面), not {Labels.Count}");
        if (HeadTemperatures.Count != 0 && (HeadTemperatures.Count != Heads || HeadTemperatures.Any(t => !(t > 0 && t < 1000))))
            throw new ModelFormatException(file, $"head_temperatures must hold {Heads} positive numbers");
        if (HasEmotions)
        {
            if (EmotionLabels.Count < 2 || EmotionLabels.Any(l => Inference.LabelMeaning.Emotion(l) != l) || EmotionLabels.Distinct().Count() != EmotionLabels.Count)
                throw new ModelFormatException(file, $"emotion_id2label must name at least two distinct canonical emotions ({string.Join(", ", Inference.LabelMeaning.Emotions)}), not {string.Join(", ", EmotionLabels)}");
            if (Output != CompactOutput.Heads) throw new ModelFormatException(file, "an emotion head needs output 'heads'");
            if (EmotionBuckets < 1) throw new ModelFormatException(file, $"emotion_buckets must be positive, not {EmotionBuckets}");
            if (!(EmotionTemperature > 0 && EmotionTemperature < 1000)) throw new ModelFormatException(file, $"emotion_temperature must be a positive number, not {EmotionTemperature}");
        }
        if (EmotionLexiconClasses != 0)
        {
            if (!HasEmotions || Dim != 0) throw new ModelFormatException(file, "an emotion lexicon needs an emotion head and dim 0 (a linear model)");
            if (EmotionLexiconClasses is < 1 or > byte.MaxValue) throw new ModelFormatException(file, $"emotion_lexicon.classes must be within 1..255, not {EmotionLexiconClasses}");
            if ((long)Buckets + EmotionLexiconClasses > int.MaxValue) throw new ModelFormatException(file, "buckets leave no room for the emotion lexicon's ids");
        }
    }

    public static CompactConfig Load(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip })
                as JsonObject ?? throw new ModelFormatException(path, "must hold a JSON object");
            var labels = Indexed(root["id2label"] as JsonObject ?? throw new ModelFormatException(path, "has no id2label object"), "id2label", path);
            var range = root["ngram_range"] as JsonArray ?? throw new ModelFormatException(path, "has no ngram_range [min, max]");
            if (range.Count != 2) throw new ModelFormatException(path, "ngram_range must be [min, max]");
            var config = new CompactConfig
            {
                Labels = labels,
                MinN = range[0]!.GetValue<int>(),
                MaxN = range[1]!.GetValue<int>(),
                Buckets = Required(root, "buckets", path),
                Dim = Required(root, "dim", path),
                MaxSequenceLength = Required(root, "max_sequence_length", path),
                ClauseRoles = root["clause_roles"]?.GetValue<bool>() ?? false,
                FoldTraditional = root["fold_traditional"]?.GetValue<bool>() ?? false,
                SqrtPooling = (root["pooling"]?.GetValue<string>() ?? "mean") switch
                {
                    "mean" => false,
                    "sqrt" => true,
                    var other => throw new ModelFormatException(path, $"pooling '{other}' is not 'mean' or 'sqrt'"),
                },
                EmbeddingRows = root["embedding_rows"]?.GetValue<int>() ?? 1 << 18,
                ConvFilters = root["conv_filters"]?.GetValue<int>() ?? 0,
                ConvWidth = root["conv_width"]?.GetValue<int>() ?? 9,
                // Models written before heads existed have no 'output': they are softmax models.
                Output = root["output"]?.GetValue<string>() switch
                {
                    null or "softmax" => CompactOutput.Softmax,
                    "heads" => CompactOutput.Heads,
                    var other => throw new ModelFormatException(path, $"output '{other}' is not 'softmax' or 'heads'"),
                },
                HeadTemperatures = (root["head_temperatures"] as JsonArray)?.Select(t => t!.GetValue<float>()).ToArray() ?? [],
                EmotionLabels = root["emotion_id2label"] is JsonObject emotions ? Indexed(emotions, "emotion_id2label", path) : [],
                EmotionBuckets = root["emotion_buckets"]?.GetValue<int>() ?? 1 << 20,
                EmotionTemperature = root["emotion_temperature"]?.GetValue<float>() ?? 1f,
                EmotionLexiconClasses = root["emotion_lexicon"] is JsonObject lexicon
                    ? lexicon["file"]?.GetValue<string>() == EmotionLexicon.FileName ? Required(lexicon, "classes", path) : throw new ModelFormatException(path, $"emotion_lexicon.file must be '{EmotionLexicon.FileName}'")
                    : 0,
            };
            config.Validate(path);
            return config;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ModelFormatException(path, $"is not a valid compact model config: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, $"cannot be read: {e.Message}", e);
        }
    }

    public void Save(string path)
    {
        var id2label = new JsonObject();
        var label2id = new JsonObject();
        for (int i = 0; i < Labels.Count; i++)
        {
            id2label[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Labels[i];
            label2id[Labels[i]] = i;
        }
        var root = new JsonObject
        {
            ["model_type"] = ModelType,
            ["id2label"] = id2label,
            ["label2id"] = label2id,
            ["normalization"] = "nfkc, lowercase, whitespace runs as one space",
            ["ngram_range"] = new JsonArray(MinN, MaxN),
            ["hash"] = "fnv1a-32 over code points, mixed with n, modulo buckets",
            ["buckets"] = Buckets,
            ["dim"] = Dim,
            ["max_sequence_length"] = MaxSequenceLength,
            ["fold_traditional"] = FoldTraditional,
            ["pooling"] = SqrtPooling ? "sqrt" : "mean",
            ["clause_roles"] = ClauseRoles,
            ["embedding_rows"] = EmbeddingRows,
            ["conv_filters"] = ConvFilters,
            ["conv_width"] = ConvWidth,
            ["output"] = Output == CompactOutput.Softmax ? "softmax" : "heads",
        };
        if (HeadTemperatures.Count > 0) root["head_temperatures"] = new JsonArray([.. HeadTemperatures.Select(t => JsonValue.Create(t))]);
        if (HasEmotions)
        {
            var emotions = new JsonObject();
            for (int i = 0; i < EmotionLabels.Count; i++) emotions[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = EmotionLabels[i];
            root["emotion_id2label"] = emotions;
            root["emotion_buckets"] = EmotionBuckets;
            root["emotion_temperature"] = EmotionTemperature;
        }
        if (EmotionLexiconClasses > 0) root["emotion_lexicon"] = new JsonObject { ["file"] = EmotionLexicon.FileName, ["classes"] = EmotionLexiconClasses };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    /// <summary>An <c>{"0": "…", "1": "…"}</c> object as a list in index order.</summary>
    private static string[] Indexed(JsonObject map, string name, string path)
    {
        var labels = new string[map.Count];
        foreach (var (key, value) in map)
        {
            if (!int.TryParse(key, out int i) || (uint)i >= (uint)labels.Length || labels[i] is not null)
                throw new ModelFormatException(path, $"{name} key '{key}' is not one of 0..{labels.Length - 1}");
            labels[i] = value?.GetValue<string>() ?? throw new ModelFormatException(path, $"{name}[{key}] is not a string");
        }
        return labels;
    }

    private static int Required(JsonObject root, string name, string path) =>
        root[name]?.GetValue<int>() ?? throw new ModelFormatException(path, $"has no '{name}'");
}

public enum CompactOutput
{
    Softmax,
    Heads,
}
