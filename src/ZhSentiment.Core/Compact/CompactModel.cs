using ZhSentiment.Graph.Onnx;
using ZhSentiment.Inference;

namespace ZhSentiment.Compact;

/// <summary>
/// A compact model folder: <c>config.json</c> and <c>model.onnx</c> (with an emotion lexicon, <c>emotion_lexicon.bin</c>
/// too), written by training and served by the engine.
/// </summary>
public static class CompactModel
{
    public static void Save(CompactWeights weights, string dir)
    {
        Directory.CreateDirectory(dir);
        OnnxModelWriter.Save(CompactGraphBuilder.Build(weights), Path.Combine(dir, ModelFolder.OnnxFile), CompactGraphBuilder.Metadata(weights.Config), externalDataThreshold: 1 << 20);
        weights.Config.Save(Path.Combine(dir, ModelFolder.ConfigFile));
        string lexicon = Path.Combine(dir, EmotionLexicon.FileName);
        if (weights.Lexicon is not null) weights.Lexicon.Save(lexicon);
        else File.Delete(lexicon);
    }

    /// <summary>The lexicon that <paramref name="config"/> names, from the folder beside it; null when it names none.</summary>
    public static EmotionLexicon? LoadLexicon(CompactConfig config, string dir)
    {
        if (config.EmotionLexiconClasses == 0) return null;
        string path = Path.Combine(dir, EmotionLexicon.FileName);
        if (!File.Exists(path)) throw new ModelFormatException(path, "does not exist; config.json names an emotion lexicon");
        var lexicon = EmotionLexicon.Load(path);
        if (lexicon.Classes != config.EmotionLexiconClasses)
            throw new ModelFormatException(path, $"has {lexicon.Classes} classes but config.json names {config.EmotionLexiconClasses}");
        return lexicon;
    }

    /// <summary>Opens a folder that <see cref="ModelFolder.Inspect"/> found to be compact.</summary>
    internal static SentimentEngine Load(Models.ModelReference model, ModelFolder folder, bool int8, ModelLoadOptions options, OnnxClassifierOptions sessionOptions)
    {
        if (int8)
            throw new ModelFormatException(folder.ConfigPath, "describes a compact n-gram model, which has no matrix multiplications to quantize; use --quantize none");
        var config = CompactConfig.Load(folder.ConfigPath);
        var lexicon = LoadLexicon(config, folder.Path);
        if (!File.Exists(folder.WeightsFile)) throw new ModelFormatException(folder.WeightsFile, "does not exist; a compact model folder holds config.json and model.onnx");
        var backend = OnnxClassifier.Load(folder.WeightsFile, sessionOptions with { MaxSequenceLength = config.MaxSequenceLength });
        try
        {
            if (backend.LabelCount != config.Outputs)
                throw new ModelFormatException(folder.WeightsFile, $"the model has {backend.LabelCount} outputs but config.json names {config.Labels.Count} labels{(config.HasEmotions ? $" and {config.EmotionLabels.Count} emotions" : "")}");
            var info = new ModelInfo
            {
                Name = model.Name,
                Source = model.Source,
                Folder = folder.Path,
                Architecture = folder.ModelType,
                MaxSequenceLength = backend.MaxSequenceLength,
                OnnxPath = folder.WeightsFile,
            };
            return new SentimentEngine(new NgramFeaturizer(config, lexicon), backend, config.LabelSet(), info, options.Engine);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }
}
