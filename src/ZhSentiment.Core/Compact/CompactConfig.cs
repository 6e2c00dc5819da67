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

    /// <summary>Width of the n-gram embeddings feeding the output layer; 0 leaves only the linear part.</summary>
    public int Dim { get; init; } = 16;

    /// <summary>Most n-gram ids in one window; longer texts are split into windows.</summary>
    public int MaxSequenceLength { get; init; } = 2048;

    public void Validate(string file)
    {
        if (Labels.Count < 2) throw new ModelFormatException(file, "id2label must name at least two labels");
        if (MinN < 1 || MaxN < MinN || MaxN > 8) throw new ModelFormatException(file, $"ngram_range [{MinN}, {MaxN}] is not a range within 1..8");
        if (Buckets < 2) throw new ModelFormatException(file, $"buckets must be at least 2, not {Buckets}");
        if (Dim < 0 || Dim > 1024) throw new ModelFormatException(file, $"dim must be within 0..1024, not {Dim}");
        if (MaxSequenceLength < 1) throw new ModelFormatException(file, $"max_sequence_length must be positive, not {MaxSequenceLength}");
    }

    public static CompactConfig Load(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip })
                as JsonObject ?? throw new ModelFormatException(path, "must hold a JSON object");
            var id2label = root["id2label"] as JsonObject ?? throw new ModelFormatException(path, "has no id2label object");
            var labels = new string[id2label.Count];
            foreach (var (key, value) in id2label)
            {
                if (!int.TryParse(key, out int i) || (uint)i >= (uint)labels.Length || labels[i] is not null)
                    throw new ModelFormatException(path, $"id2label key '{key}' is not one of 0..{labels.Length - 1}");
                labels[i] = value?.GetValue<string>() ?? throw new ModelFormatException(path, $"id2label[{key}] is not a string");
            }
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
        };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    private static int Required(JsonObject root, string name, string path) =>
        root[name]?.GetValue<int>() ?? throw new ModelFormatException(path, $"has no '{name}'");
}
