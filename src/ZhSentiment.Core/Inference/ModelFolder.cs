using System.Text.Json;

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

/// <summary>A model folder's layout: its kind, <c>config.json</c>'s <c>model_type</c>, and the weights file.</summary>
public sealed class ModelFolder
{
    public const string ConfigFile = "config.json", OnnxFile = "model.onnx";

    /// <summary>Weight files in the order they are preferred: safetensors needs no unpickling.</summary>
    private static readonly string[] WeightFiles = ["model.safetensors", "pytorch_model.bin"];

    private ModelFolder(string path, ModelFolderKind kind, string modelType, string weightsFile)
    {
        Path = path;
        Kind = kind;
        ModelType = modelType;
        WeightsFile = weightsFile;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    public ModelFolderKind Kind { get; }

    /// <summary><c>model_type</c> from config.json (<c>bert</c>, <c>structbert</c>, …), or <c>unknown</c>.</summary>
    public string ModelType { get; }

    /// <summary>The file holding the weights: the checkpoint, <c>model.onnx</c>, or the compact model's graph.</summary>
    public string WeightsFile { get; }

    public string ConfigPath => System.IO.Path.Combine(Path, ConfigFile);

    /// <summary>Inspects <paramref name="folder"/>; a folder that is not a model gives one line naming what is missing.</summary>
    public static ModelFolder Inspect(string folder)
    {
        string path = System.IO.Path.GetFullPath(folder);
        if (File.Exists(path)) throw new ModelFormatException(folder, "is a file; a model is a folder holding config.json, the tokenizer files and the weights");
        if (!Directory.Exists(path)) throw new ModelFormatException(folder, "does not exist");

        string config = System.IO.Path.Combine(path, ConfigFile);
        if (!File.Exists(config))
            throw new ModelFormatException(folder, "has no config.json; a model folder holds config.json, the tokenizer files (vocab.txt or tokenizer.json) and the weights (pytorch_model.bin, model.safetensors or model.onnx)");
        string modelType = ReadModelType(config);

        if (modelType.StartsWith("zhsenti", StringComparison.Ordinal))
            return new ModelFolder(path, ModelFolderKind.Compact, modelType, System.IO.Path.Combine(path, OnnxFile));
        string onnx = System.IO.Path.Combine(path, OnnxFile);
        if (File.Exists(onnx)) return new ModelFolder(path, ModelFolderKind.Onnx, modelType, onnx);
        foreach (var name in WeightFiles)
        {
            string weights = System.IO.Path.Combine(path, name);
            if (File.Exists(weights)) return new ModelFolder(path, ModelFolderKind.Checkpoint, modelType, weights);
        }
        if (Directory.EnumerateFiles(path, "*.index.json").Any())
            throw new ModelFormatException(folder, "holds a sharded checkpoint (*.index.json), which is not supported; save it as one pytorch_model.bin or model.safetensors");
        throw new ModelFormatException(folder, "has no weights: expected model.safetensors, pytorch_model.bin or model.onnx");
    }

    private static string ReadModelType(string config)
    {
        try
        {
            using var stream = File.OpenRead(config);
            using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException(config, "must hold a JSON object");
            Text.JsonUnicode.Check(doc.RootElement, config);
            return doc.RootElement.TryGetProperty("model_type", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()!
                : "unknown";
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(config, $"is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(config, $"cannot be read: {e.Message}", e);
        }
    }
}
