using System.Globalization;
using System.Text.Json;

namespace ZhSentiment.Inference;

/// <summary>
/// What the engine reads from a ModelScope <c>configuration.json</c>, as ModelScope itself reads it
/// (<c>modelscope/utils/hub.py</c> <c>get_model_type</c> and <c>parse_label_mapping</c>, <c>task_model.py</c>
/// <c>EncoderModel</c>, the NLP preprocessors).
/// </summary>
public sealed class ModelScopeConfiguration
{
    public const string FileName = "configuration.json";

    /// <summary>ModelScope's <c>EncoderModel.base_model_prefix</c>: a task model's backbone attribute when the configuration names none.</summary>
    public const string DefaultBackbonePrefix = "encoder";

    private ModelScopeConfiguration(string path) => Path = path;

    public string Path { get; }

    /// <summary><c>model.backbone.type</c>, else <c>model.model_type</c>, else <c>model.type</c> (ModelScope's <c>get_model_type</c>).</summary>
    public string? ModelType { get; private init; }

    /// <summary>
    /// The prefix of the backbone's tensors in a task model (<c>model.backbone</c> declared): <c>model.backbone.prefix</c>,
    /// else its <c>base_model_prefix</c>, else <see cref="DefaultBackbonePrefix"/>; null for a model with no backbone section.
    /// </summary>
    public string? BackbonePrefix { get; private init; }

    /// <summary>
    /// <c>model.backbone</c> as JSON when it holds the backbone's configuration inline (it has <c>hidden_size</c> or
    /// DistilBERT's <c>dim</c>); ModelScope builds the backbone from it when the folder has no config.json.
    /// </summary>
    public string? InlineBackbone { get; private init; }

    /// <summary>The labels by index and where in the file they were found, by <c>parse_label_mapping</c>'s order; null when none.</summary>
    public (string[] Labels, string Source)? Labels { get; private init; }

    /// <summary>The preprocessor's <c>max_length</c> or <c>sequence_length</c>: where ModelScope's pipeline truncates; null when unset.</summary>
    public int? MaxLength { get; private init; }

    /// <summary>Reads <c>configuration.json</c> in <paramref name="folder"/>; null when the folder has none.</summary>
    public static ModelScopeConfiguration? Load(string folder)
    {
        string path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        using var doc = JsonFiles.Read(path);
        var root = doc.RootElement;
        var model = Object(root, "model", path);
        var backbone = model is { } m ? Object(m, "backbone", path) : null;
        var preprocessor = Object(root, "preprocessor", path);

        (string[], string)? labels = null;
        foreach (var (section, name) in new[] { (model, "model"), (preprocessor, "preprocessor") })
        {
            if (section is not { } s || labels is not null) continue;
            if (Member(s, "label2id") is { } label2id) labels = (LabelMaps.FromLabel2Id(label2id, path, $"{name}.label2id"), $"{FileName} {name}.label2id");
            else if (Member(s, "id2label") is { } id2label) labels = (LabelMaps.FromId2Label(id2label, path, $"{name}.id2label"), $"{FileName} {name}.id2label");
        }

        return new ModelScopeConfiguration(path)
        {
            ModelType = (backbone is { } b ? String(b, "type", path) : null)
                ?? (model is { } mt ? String(mt, "model_type", path) ?? String(mt, "type", path) : null),
            BackbonePrefix = backbone is { } bp ? String(bp, "prefix", path) ?? String(bp, "base_model_prefix", path) ?? DefaultBackbonePrefix : null,
            InlineBackbone = backbone is { } inline && (Member(inline, "hidden_size") is not null || Member(inline, "dim") is not null) ? inline.GetRawText() : null,
            Labels = labels,
            MaxLength = preprocessor is { } p ? Int(p, "max_length", path) ?? Int(p, "sequence_length", path) : null,
        };
    }

    private static JsonElement? Member(JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static JsonElement? Object(JsonElement obj, string key, string path)
    {
        if (Member(obj, key) is not { } v) return null;
        return v.ValueKind == JsonValueKind.Object ? v : throw new ModelFormatException(path, $"'{key}' must be an object");
    }

    private static string? String(JsonElement obj, string key, string path)
    {
        if (Member(obj, key) is not { } v) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new ModelFormatException(path, $"'{key}' must be a string, not {v.GetRawText()}");
    }

    private static int? Int(JsonElement obj, string key, string path)
    {
        if (Member(obj, key) is not { } v) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i > 0
            ? i
            : throw new ModelFormatException(path, $"'{key}' must be a positive integer, not {v.GetRawText()}");
    }
}

/// <summary>Label tables as model configurations write them: <c>id2label</c> (index → name) and <c>label2id</c> (name → index).</summary>
public static class LabelMaps
{
    /// <summary>Names by index from an <c>id2label</c> object; <paramref name="key"/> names it in errors.</summary>
    public static string[] FromId2Label(JsonElement id2label, string file, string key)
    {
        if (id2label.ValueKind != JsonValueKind.Object) throw new ModelFormatException(file, $"{key} must be an object of index → name");
        var byIndex = new SortedDictionary<int, string>();
        foreach (var entry in id2label.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                throw new ModelFormatException(file, $"{key} key '{entry.Name}' is not a class index");
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ModelFormatException(file, $"{key}['{entry.Name}'] must be a string");
            byIndex[index] = entry.Value.GetString()!;
        }
        return Ordered(byIndex, file, key);
    }

    /// <summary>Names by index from a <c>label2id</c> object (indices as numbers or digit strings, as ModelScope's <c>int(id)</c> accepts).</summary>
    public static string[] FromLabel2Id(JsonElement label2id, string file, string key)
    {
        if (label2id.ValueKind != JsonValueKind.Object) throw new ModelFormatException(file, $"{key} must be an object of name → index");
        var byIndex = new SortedDictionary<int, string>();
        foreach (var entry in label2id.EnumerateObject())
        {
            var v = entry.Value;
            bool parsed = v.ValueKind == JsonValueKind.Number ? v.TryGetInt32(out int index)
                : int.TryParse(v.ValueKind == JsonValueKind.String ? v.GetString() : null, NumberStyles.None, CultureInfo.InvariantCulture, out index);
            if (!parsed || !byIndex.TryAdd(index, entry.Name))
                throw new ModelFormatException(file, $"{key}['{entry.Name}'] must be a distinct class index");
        }
        return Ordered(byIndex, file, key);
    }

    private static string[] Ordered(SortedDictionary<int, string> byIndex, string file, string key)
    {
        if (byIndex.Count == 0) throw new ModelFormatException(file, $"{key} names no labels");
        if (byIndex.Keys.First() != 0 || byIndex.Keys.Last() != byIndex.Count - 1)
            throw new ModelFormatException(file, $"{key}: label indices must be 0..{byIndex.Count - 1} without gaps");
        return [.. byIndex.Values];
    }
}
