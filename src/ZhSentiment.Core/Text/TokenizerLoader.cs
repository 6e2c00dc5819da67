using System.Text.Json;
using static ZhSentiment.Text.TokenizerJson;

namespace ZhSentiment.Text;

/// <summary>
/// Loads a model folder's tokenizer, chosen by what its files say: <c>tokenizer.json</c> by its model type
/// (WordPiece → <see cref="BertTokenizer"/>, Unigram → <see cref="SentencePieceTokenizer"/>), else
/// <c>vocab.txt</c> (WordPiece), with <c>tokenizer_config.json</c> where present.
/// </summary>
public static class TokenizerLoader
{
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["WordPiece (BERT)", "Unigram (SentencePiece, XLM-RoBERTa)"];

    /// <exception cref="ModelFormatException">The folder has no usable tokenizer, or one of an unsupported type.</exception>
    public static ISubwordTokenizer Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        var jsonPath = Path.Combine(modelDirectory, FileName);
        if (!File.Exists(jsonPath)) return BertTokenizerLoader.Load(modelDirectory);

        var configPath = Path.Combine(modelDirectory, ConfigFileName);
        using var config = File.Exists(configPath) ? Parse(configPath) : null;
        var configRoot = config?.RootElement;
        if (configRoot is { ValueKind: not JsonValueKind.Object }) throw new ModelFormatException(configPath, "is not a JSON object");
        using var document = Parse(jsonPath);
        var root = document.RootElement;
        return ModelType(root, jsonPath) switch
        {
            "WordPiece" => BertTokenizerLoader.FromTokenizerJson(root, jsonPath, configRoot, configPath),
            "Unigram" => SentencePieceTokenizerLoader.FromTokenizerJson(root, jsonPath, configRoot, configPath),
            var other => throw new ModelFormatException(jsonPath, $"tokenizer model type \"{other}\" is not supported; supported: {string.Join(", ", SupportedModelTypes)}"),
        };
    }
}
