using System.Text.Json;
using ZhSentiment.Graph;

namespace ZhSentiment.Inference;

/// <summary>What kind of model a folder holds, told from the files in it.</summary>
public enum ModelFolderKind
{
    /// <summary>A PyTorch or safetensors BERT-family checkpoint (Hugging Face or ModelScope layout).</summary>
    Checkpoint,

    /// <summary>An ONNX export (<c>model.onnx</c>) with tokenizer files.</summary>
    Onnx,

    /// <summary>The project's compact n-gram model (what <c>zhsenti train</c> writes).</summary>
    Compact,
}

/// <summary>
/// A model folder's layout: its kind, its configuration files (<c>config.json</c> and/or ModelScope's
/// <c>configuration.json</c>, <c>label_mapping.json</c>), <c>model_type</c>, and the weights file.
/// </summary>
public sealed class ModelFolder
{
    public const string ConfigFile = "config.json", OnnxFile = "model.onnx", LabelMappingFile = "label_mapping.json";

    /// <summary>Weight files in the order they are preferred: safetensors needs no unpickling.</summary>
    private static readonly string[] WeightFiles = ["model.safetensors", "pytorch_model.bin"];

    private ModelFolder(string path, ModelFolderKind kind, string modelType, string weightsFile, ModelScopeConfiguration? configuration)
    {
        Path = path;
        Kind = kind;
        ModelType = modelType;
        WeightsFile = weightsFile;
        Configuration = configuration;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    public ModelFolderKind Kind { get; }

    /// <summary><c>model_type</c> from config.json (<c>bert</c>, <c>structbert</c>, …), else configuration.json's model type, or <c>unknown</c>.</summary>
    public string ModelType { get; }

    /// <summary>The file holding the weights: the checkpoint, <c>model.onnx</c>, or the compact model's graph.</summary>
    public string WeightsFile { get; }

    /// <summary>ModelScope's <c>configuration.json</c>, when the folder has one.</summary>
    public ModelScopeConfiguration? Configuration { get; }

    public string ConfigPath => System.IO.Path.Combine(Path, ConfigFile);

    /// <summary>The configuration files present (config.json, configuration.json, label_mapping.json): with the weights, what a built graph depends on.</summary>
    public static IReadOnlyList<string> ConfigFilesIn(string folder) => new[] { ConfigFile, ModelScopeConfiguration.FileName, LabelMappingFile }
        .Select(f => System.IO.Path.Combine(folder, f)).Where(File.Exists).ToArray();

    /// <summary>Inspects <paramref name="folder"/>; a folder that is not a model gives one line naming what is missing.</summary>
    public static ModelFolder Inspect(string folder)
    {
        string path = System.IO.Path.GetFullPath(folder);
        if (File.Exists(path)) throw new ModelFormatException(folder, "is a file; a model is a folder holding config.json, the tokenizer files and the weights");
        if (!Directory.Exists(path)) throw new ModelFormatException(folder, "does not exist");

        string config = System.IO.Path.Combine(path, ConfigFile);
        var configuration = ModelScopeConfiguration.Load(path);
        if (!File.Exists(config) && configuration is null)
            throw new ModelFormatException(folder, "has no config.json; a model folder holds config.json (or ModelScope's configuration.json), the tokenizer files (vocab.txt or tokenizer.json) and the weights (pytorch_model.bin, model.safetensors or model.onnx)");
        string modelType = (File.Exists(config) ? ReadModelType(config) : null) ?? configuration?.ModelType ?? "unknown";

        if (modelType.StartsWith("zhsenti", StringComparison.Ordinal))
            return new ModelFolder(path, ModelFolderKind.Compact, modelType, System.IO.Path.Combine(path, OnnxFile), configuration);
        string onnx = System.IO.Path.Combine(path, OnnxFile);
        if (File.Exists(onnx)) return new ModelFolder(path, ModelFolderKind.Onnx, modelType, onnx, configuration);
        foreach (var name in WeightFiles)
        {
            string weights = System.IO.Path.Combine(path, name);
            if (File.Exists(weights)) return new ModelFolder(path, ModelFolderKind.Checkpoint, modelType, weights, configuration);
        }
        if (Directory.EnumerateFiles(path, "*.index.json").Any())
            throw new ModelFormatException(folder, "holds a sharded checkpoint (*.index.json), which is not supported; save it as one pytorch_model.bin or model.safetensors");
        throw new ModelFormatException(folder, "has no weights: expected model.safetensors, pytorch_model.bin or model.onnx");
    }

    /// <summary>
    /// The network's configuration: config.json, else the backbone ModelScope's configuration.json holds inline;
    /// labels by ModelScope's precedence (<c>parse_label_mapping</c>): label_mapping.json, configuration.json's
    /// <c>model</c> then <c>preprocessor</c> label2id/id2label, then config.json. ModelScope's trainer copies the base
    /// model's config.json unchanged and writes a fine-tune's labels only into configuration.json, so config.json
    /// comes last. The backbone prefix of a ModelScope task model comes from configuration.json.
    /// </summary>
    public BertConfig ReadBertConfig()
    {
        BertConfig config;
        if (File.Exists(ConfigPath)) config = BertConfig.Load(ConfigPath);
        else if (Configuration?.InlineBackbone is { } inline) config = BertConfig.Parse(inline, $"{ModelScopeConfiguration.FileName} model.backbone", "type");
        else throw new ModelFormatException(Path, "has no config.json, and configuration.json holds no backbone configuration (model.backbone with hidden_size)");

        string mapping = System.IO.Path.Combine(Path, LabelMappingFile);
        if (File.Exists(mapping))
        {
            using var doc = JsonFiles.Read(mapping);
            config = config with { Labels = LabelMaps.FromLabel2Id(doc.RootElement, mapping, "label2id"), LabelSource = LabelMappingFile };
        }
        else if (Configuration?.Labels is { } labels)
            config = config with { Labels = labels.Labels, LabelSource = labels.Source };
        if (Configuration?.BackbonePrefix is { } prefix) config = config with { BaseModelPrefix = prefix };
        config.Validate();
        return config;
    }

    private static string? ReadModelType(string config)
    {
        using var doc = JsonFiles.Read(config);
        return doc.RootElement.TryGetProperty("model_type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : null;
    }
}
