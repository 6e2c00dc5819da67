using System.Text.Json;
using static ZhSentiment.Text.TokenizerJson;

namespace ZhSentiment.Text;

/// <summary>
/// Reads a BERT tokenizer from a Hugging Face or ModelScope model folder. <c>tokenizer.json</c> wins when present
/// (its normalizer flags, WordPiece settings and added tokens); explicit <c>do_lower_case</c>,
/// <c>strip_accents</c> and <c>tokenize_chinese_chars</c> in <c>tokenizer_config.json</c> override its normalizer,
/// as transformers does. Otherwise <c>vocab.txt</c> with the defaults of transformers' BertTokenizer(Fast) and
/// ModelScope's SbertTokenizer: lowercase on, accents stripped as lowercase, Chinese characters split.
/// </summary>
internal static class BertTokenizerLoader
{
    public const string VocabTxt = "vocab.txt";

    private sealed record SpecialNames(string Unk, string Sep, string Pad, string Cls, string Mask);

    public static BertTokenizer Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        if (!Directory.Exists(modelDirectory)) throw new ModelFormatException(modelDirectory, "model folder not found");

        var configPath = Path.Combine(modelDirectory, ConfigFileName);
        using var config = File.Exists(configPath) ? Parse(configPath) : null;
        var configRoot = config?.RootElement;
        if (configRoot is { ValueKind: not JsonValueKind.Object }) throw new ModelFormatException(configPath, "is not a JSON object");

        var jsonPath = Path.Combine(modelDirectory, FileName);
        if (File.Exists(jsonPath)) return FromTokenizerJson(jsonPath, configRoot, configPath);
        var vocabPath = Path.Combine(modelDirectory, VocabTxt);
        if (File.Exists(vocabPath)) return FromVocabTxt(vocabPath, configRoot, configPath);
        throw new ModelFormatException(modelDirectory, $"has neither {FileName} nor {VocabTxt}: no tokenizer to load");
    }

    public static BertTokenizer FromVocabTxt(string vocabPath, JsonElement? config, string configPath)
    {
        var vocabulary = Vocabulary.ReadVocabTxt(vocabPath);
        var names = ReadSpecialNames(config, configPath);
        var normalizer = new BertNormalizer(
            cleanText: true,
            handleChineseChars: OptionalBool(config, "tokenize_chinese_chars", configPath) ?? true,
            stripAccents: OptionalBool(config, "strip_accents", configPath),
            lowercase: OptionalBool(config, "do_lower_case", configPath) ?? true);
        var wordPiece = new WordPiece(vocabulary, names.Unk, file: vocabPath);

        IEnumerable<AddedToken> added = config is { } c && Has(c, "added_tokens_decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object
            ? decoder.EnumerateObject().Select(p => ReadAddedToken(p.Value, configPath, "added_tokens_decoder"))
            : new[] { names.Pad, names.Unk, names.Cls, names.Sep, names.Mask }.Where(t => vocabulary.TryGetId(t, out _)).Select(t => new AddedToken(t));
        return new BertTokenizer(normalizer, wordPiece, vocabulary, added.ToList(),
            RequireId(vocabulary, names.Cls, vocabPath), RequireId(vocabulary, names.Sep, vocabPath), RequireId(vocabulary, names.Pad, vocabPath));
    }

    private static BertTokenizer FromTokenizerJson(string path, JsonElement? config, string configPath)
    {
        using var document = Parse(path);
        return FromTokenizerJson(document.RootElement, path, config, configPath);
    }

    /// <summary>A WordPiece tokenizer.json, already parsed (the model-folder loader parses it once to read its type).</summary>
    public static BertTokenizer FromTokenizerJson(JsonElement root, string path, JsonElement? config, string configPath)
    {
        var modelType = ModelType(root, path);
        if (modelType != "WordPiece")
            throw new ModelFormatException(path, $"model type \"{modelType}\" is not supported: only BERT (WordPiece) tokenizers are");
        var model = root.GetProperty("model");
        var vocabulary = Vocabulary.FromJson(Has(model, "vocab", out var vocab) ? vocab : default, path);
        var wordPiece = new WordPiece(vocabulary,
            RequiredString(model, "unk_token", path, "model"),
            RequiredString(model, "continuing_subword_prefix", path, "model"),
            RequiredPositiveInt(model, "max_input_chars_per_word", path, "model"),
            path);

        var normalizer = ReadNormalizer(root, path, config, configPath);
        if (!Has(root, "pre_tokenizer", out var pre) || pre.ValueKind != JsonValueKind.Object || TypeOf(pre) != "BertPreTokenizer")
            throw new ModelFormatException(path, $"pre_tokenizer {Describe(pre)} is not supported: only BertPreTokenizer is");

        var added = AddedTokens(root, path);
        var names = ReadSpecialNames(config, configPath);
        bool IsToken(int id) => vocabulary.GetToken(id) is not null;
        var (cls, sep) = ReadFraming(root, IsToken, path) ?? (RequireId(vocabulary, names.Cls, path), RequireId(vocabulary, names.Sep, path));
        int pad = Has(root, "padding", out var padding) && padding.ValueKind == JsonValueKind.Object && Has(padding, "pad_id", out var padId)
            ? CheckId(padId, IsToken, path, "padding.pad_id")
            : RequireId(vocabulary, names.Pad, path);
        return new BertTokenizer(normalizer, wordPiece, vocabulary, added, cls, sep, pad);
    }

    private static BertNormalizer ReadNormalizer(JsonElement root, string path, JsonElement? config, string configPath)
    {
        if (!Has(root, "normalizer", out var n) || n.ValueKind != JsonValueKind.Object || TypeOf(n) != "BertNormalizer")
            throw new ModelFormatException(path, $"normalizer {Describe(n)} is not supported: only BertNormalizer is");
        bool? stripAccents = Has(n, "strip_accents", out var strip) ? ReadBool(strip, path, "normalizer.strip_accents") : null;
        bool lowercase = ReadBool(Required(n, "lowercase", path, "normalizer"), path, "normalizer.lowercase") ?? throw NullFlag(path, "lowercase");
        bool chinese = ReadBool(Required(n, "handle_chinese_chars", path, "normalizer"), path, "normalizer.handle_chinese_chars") ?? throw NullFlag(path, "handle_chinese_chars");
        bool clean = ReadBool(Required(n, "clean_text", path, "normalizer"), path, "normalizer.clean_text") ?? throw NullFlag(path, "clean_text");

        if (config is { } c)
        {
            if (Has(c, "do_lower_case", out var l) && ReadBool(l, configPath, "do_lower_case") is { } configLower) lowercase = configLower;
            if (Has(c, "strip_accents", out var s)) stripAccents = ReadBool(s, configPath, "strip_accents");
            if (Has(c, "tokenize_chinese_chars", out var t) && ReadBool(t, configPath, "tokenize_chinese_chars") is { } configChinese) chinese = configChinese;
        }
        return new BertNormalizer(clean, chinese, stripAccents, lowercase);
    }

    private static SpecialNames ReadSpecialNames(JsonElement? config, string configPath)
    {
        string Name(string key, string fallback) => SpecialName(config, key, fallback, configPath);
        return new SpecialNames(Name("unk_token", "[UNK]"), Name("sep_token", "[SEP]"), Name("pad_token", "[PAD]"), Name("cls_token", "[CLS]"), Name("mask_token", "[MASK]"));
    }

    private static int RequireId(Vocabulary vocabulary, string token, string path) =>
        vocabulary.TryGetId(token, out int id) ? id : throw new ModelFormatException(path, $"the special token \"{token}\" is not in the vocabulary");

    private static ModelFormatException NullFlag(string path, string name) => new(path, $"normalizer.{name} is null, not true or false");
}
