using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;
using ZhSentiment.Models;
using ZhSentiment.Text;

namespace ZhSentiment.Inference;

/// <summary>Turns a model folder into a running <see cref="SentimentEngine"/>.</summary>
public static class ModelLoader
{
    /// <summary>
    /// Loads the model in <paramref name="modelDir"/>: a checkpoint is converted to an ONNX graph once and cached;
    /// an ONNX export or a compact model is run as it is.
    /// </summary>
    /// <exception cref="ModelFormatException">A file is missing, malformed or unsupported; the message names it.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static SentimentEngine Load(string modelDir, ModelLoadOptions options, Action<string>? warn = null) =>
        Load(ModelReference.ForFolder(modelDir), options, warn);

    /// <summary>Loads the model <paramref name="model"/> refers to, named and sourced as the reference says.</summary>
    public static SentimentEngine Load(ModelReference model, ModelLoadOptions options, Action<string>? warn = null)
    {
        bool int8 = ParseQuantize(options.Quantize);
        var folder = ModelFolder.Inspect(model.Folder);
        var sessionOptions = new OnnxClassifierOptions { IntraOpThreads = options.Threads ?? 0, ArenaKeepTokens = options.ArenaKeepTokens };
        return folder.Kind switch
        {
            ModelFolderKind.Checkpoint => LoadCheckpoint(model, folder, int8, options, sessionOptions, warn),
            ModelFolderKind.Onnx => LoadOnnx(model, folder, int8, options, sessionOptions),
            ModelFolderKind.Compact => Compact.CompactModel.Load(model, folder, int8, options, sessionOptions),
            _ => throw new ModelFormatException(folder.ConfigPath, $"model_type '{folder.ModelType}' is not supported"),
        };
    }

    /// <summary><c>none</c> → false, <c>int8</c> → true.</summary>
    public static bool ParseQuantize(string quantize) => quantize switch
    {
        "none" => false,
        "int8" => true,
        _ => throw new ArgumentException($"Quantization must be 'none' or 'int8', not '{quantize}'.", nameof(quantize)),
    };

    private static SentimentEngine LoadCheckpoint(ModelReference model, ModelFolder folder, bool int8, ModelLoadOptions options,
        OnnxClassifierOptions sessionOptions, Action<string>? warn)
    {
        var config = folder.ReadBertConfig();
        var tokenizer = LoadTokenizer(folder, config);
        var cache = new ModelCache(options.CacheDirectory, warn);
        var source = cache.GetOrBuild(folder.Path, [folder.WeightsFile], config, int8 ? BertGraphOptions.Int8ForThisCpu : BertGraphOptions.Float32,
            () => CheckpointReader.Read(folder.WeightsFile));
        var backend = OnnxClassifier.Load(source, sessionOptions with { MaxSequenceLength = config.MaxSequenceLength, FusedByBuilder = true });
        return Engine(model, folder, config, tokenizer, backend, int8 ? "int8" : "none", source.Path, options);
    }

    private static SentimentEngine LoadOnnx(ModelReference model, ModelFolder folder, bool int8, ModelLoadOptions options, OnnxClassifierOptions sessionOptions)
    {
        if (int8)
            throw new ModelFormatException(folder.WeightsFile, "is already an ONNX model; int8 quantization applies to PyTorch and safetensors checkpoints (`zhsenti convert --quantize int8` on the checkpoint writes a quantized ONNX folder)");
        var config = folder.ReadBertConfig();
        var tokenizer = LoadTokenizer(folder, config);
        var backend = OnnxClassifier.Load(folder.WeightsFile, sessionOptions with { MaxSequenceLength = config.MaxSequenceLength });
        return Engine(model, folder, config, tokenizer, backend, backend.Quantization, folder.WeightsFile, options);
    }

    private static ISubwordTokenizer LoadTokenizer(ModelFolder folder, BertConfig config)
    {
        bool sentencePiece = config.ModelType == "xlm-roberta";
        if (sentencePiece && !File.Exists(Path.Combine(folder.Path, "tokenizer.json")))
            throw new ModelFormatException(folder.Path, "has no tokenizer.json: XLM-RoBERTa's SentencePiece tokenizer is read from tokenizer.json (a folder with only sentencepiece.bpe.model gets one from transformers: AutoTokenizer.from_pretrained(folder).save_pretrained(folder))");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        if (sentencePiece != tokenizer is SentencePieceTokenizer)
            throw new ModelFormatException(folder.Path, $"model_type '{config.ModelType}' needs a {(sentencePiece ? "SentencePiece (Unigram)" : "WordPiece")} tokenizer, but the tokenizer files hold {tokenizer}");
        if (tokenizer.VocabularySize > config.VocabSize)
            throw new ModelFormatException(folder.Path, $"the tokenizer has {tokenizer.VocabularySize} tokens but config.json's vocab_size is {config.VocabSize}: the tokenizer files do not belong to these weights");
        return tokenizer;
    }

    private static SentimentEngine Engine(ModelReference model, ModelFolder folder, BertConfig config, ISubwordTokenizer tokenizer, OnnxClassifier backend,
        string quantization, string? onnxPath, ModelLoadOptions options)
    {
        try
        {
            if (backend.LabelCount != config.NumLabels)
                throw new ModelFormatException(folder.WeightsFile, $"the model has {backend.LabelCount} outputs but {config.LabelSource} names {config.NumLabels} labels");
            var info = new ModelInfo
            {
                Name = model.Name,
                Source = model.Source,
                Folder = folder.Path,
                Architecture = folder.ModelType,
                // ModelScope's pipeline cuts at its preprocessor's max_length, which may be below the model's positions.
                MaxSequenceLength = Math.Min(backend.MaxSequenceLength, folder.Configuration?.MaxLength ?? int.MaxValue),
                Quantization = quantization,
                Int8Weights = backend.Int8Weights,
                OnnxPath = onnxPath,
                BuiltFromCheckpoint = folder.Kind == ModelFolderKind.Checkpoint,
            };
            return new SentimentEngine(new SubwordTextEncoder(tokenizer), backend, LabelSet.FromModelLabels(config.Labels, config.LabelSource, config.MultiLabel), info, options.Engine);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }
}
