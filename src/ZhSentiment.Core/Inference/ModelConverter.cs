using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Inference;

/// <summary>
/// Writes a checkpoint folder out as an ONNX folder (<c>model.onnx</c> + its weights file, config.json and the
/// tokenizer files) that <see cref="ModelLoader"/> loads back with no conversion at start.
/// </summary>
public static class ModelConverter
{
    /// <summary>Files besides the weights that a model folder needs; copied when present.</summary>
    private static readonly string[] CompanionFiles =
        ["config.json", "configuration.json", "label_mapping.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

    /// <summary>Same threshold as the cache: small tensors inline, large ones page-aligned in <c>model.onnx.data</c>.</summary>
    private const long ExternalDataThreshold = 4096;

    /// <summary>Converts <paramref name="modelDir"/> into a new folder <paramref name="outputDir"/>, which must not exist or be empty.</summary>
    /// <exception cref="ModelFormatException">The source is not a checkpoint folder or cannot be read.</exception>
    /// <exception cref="IOException">The output folder is in the way or cannot be written.</exception>
    public static void Convert(string modelDir, string outputDir, bool int8)
    {
        var folder = ModelFolder.Inspect(modelDir);
        if (folder.Kind != ModelFolderKind.Checkpoint)
            throw new ModelFormatException(folder.WeightsFile, "is already an ONNX model; convert reads PyTorch and safetensors checkpoints");

        string output = Path.GetFullPath(outputDir);
        if (File.Exists(output) || (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any()))
            throw new IOException($"{outputDir}: already exists and is not empty; choose a new folder");

        var config = folder.ReadBertConfig();
        // A converted folder may be served on another CPU: 7-bit weights, exact on all of them.
        var options = int8 ? BertGraphOptions.Int8 : BertGraphOptions.Float32;
        var graph = BertGraphBuilder.Build(config, CheckpointReader.Read(folder.WeightsFile), options, folder.WeightsFile);

        // Written beside the target and moved into place, so a failed run never leaves a folder that looks complete.
        string parent = Path.GetDirectoryName(output) ?? ".";
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{Path.GetFileName(output)}.tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temporary);
            OnnxModelWriter.Save(graph, Path.Combine(temporary, ModelFolder.OnnxFile), BertGraphBuilder.Metadata(config, options), ExternalDataThreshold);
            foreach (var name in CompanionFiles)
            {
                string file = Path.Combine(folder.Path, name);
                if (File.Exists(file)) File.Copy(file, Path.Combine(temporary, name));
            }
            if (Directory.Exists(output)) Directory.Delete(output);
            Directory.Move(temporary, output);
        }
        catch
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            throw;
        }
    }
}
