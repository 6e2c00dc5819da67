using System.Text.Json;

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
    public const string TokenizerJson = "tokenizer.json";
    public const string VocabTxt = "vocab.txt";
    public const string TokenizerConfigJson = "tokenizer_config.json";

    private sealed record SpecialNames(string Unk, string Sep, string Pad, string Cls, string Mask);

    public static BertTokenizer Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        if (!Directory.Exists(modelDirectory)) throw new ModelFormatException(modelDirectory, "model folder not found");

        var configPath = Path.Combine(modelDirectory, TokenizerConfigJson);
        using var config = File.Exists(configPath) ? ParseJson(configPath) : null;
        var configRoot = config?.RootElement;
        if (configRoot is { ValueKind: not JsonValueKind.Object }) throw new ModelFormatException(configPath, "is not a JSON object");

        var jsonPath = Path.Combine(modelDirectory, TokenizerJson);
        if (File.Exists(jsonPath)) return FromTokenizerJson(jsonPath, configRoot, configPath);
        var vocabPath = Path.Combine(modelDirectory, VocabTxt);
        if (File.Exists(vocabPath)) return FromVocabTxt(vocabPath, configRoot, configPath);
        throw new ModelFormatException(modelDirectory, $"has neither {TokenizerJson} nor {VocabTxt}: no tokenizer to load");
    }

    private static BertTokenizer FromVocabTxt(string vocabPath, JsonElement? config, string configPath)
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
        using var document = ParseJson(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "is not a JSON object");
        if (Has(root, "version", out var version) && version.ValueKind == JsonValueKind.String && version.GetString() != "1.0")
            throw new ModelFormatException(path, $"format version \"{version.GetString()}\" is not supported (expected 1.0)");

        if (!Has(root, "model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, "has no model object");
        var modelType = TypeOf(model);
        if (modelType is null && Has(model, "merges", out _)) modelType = "BPE";
        if (modelType is not (null or "WordPiece"))
            throw new ModelFormatException(path, $"model type \"{modelType}\" is not supported: only BERT (WordPiece) tokenizers are");
        var vocabulary = Vocabulary.FromJson(Has(model, "vocab", out var vocab) ? vocab : default, path);
        var wordPiece = new WordPiece(vocabulary,
            RequiredString(model, "unk_token", path, "model"),
            RequiredString(model, "continuing_subword_prefix", path, "model"),
            RequiredPositiveInt(model, "max_input_chars_per_word", path, "model"),
            path);

        var normalizer = ReadNormalizer(root, path, config, configPath);
        if (!Has(root, "pre_tokenizer", out var pre) || pre.ValueKind != JsonValueKind.Object || TypeOf(pre) != "BertPreTokenizer")
            throw new ModelFormatException(path, $"pre_tokenizer {Describe(pre)} is not supported: only BertPreTokenizer is");

        var added = new List<AddedToken>();
        if (Has(root, "added_tokens", out var addedTokens) && addedTokens.ValueKind != JsonValueKind.Null)
        {
            if (addedTokens.ValueKind != JsonValueKind.Array) throw new ModelFormatException(path, "added_tokens is not an array");
            foreach (var token in addedTokens.EnumerateArray()) added.Add(ReadAddedToken(token, path, "added_tokens"));
        }

        var names = ReadSpecialNames(config, configPath);
        var (cls, sep) = ReadClsSep(root, vocabulary, path) ?? (RequireId(vocabulary, names.Cls, path), RequireId(vocabulary, names.Sep, path));
        int pad = Has(root, "padding", out var padding) && padding.ValueKind == JsonValueKind.Object && Has(padding, "pad_id", out var padId)
            ? CheckId(padId, vocabulary, path, "padding.pad_id")
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

    /// <summary>[CLS] and [SEP] from the post-processor: BERT's template <c>[CLS] $A [SEP]</c>; null when there is none.</summary>
    private static (int Cls, int Sep)? ReadClsSep(JsonElement root, Vocabulary vocabulary, string path)
    {
        if (!Has(root, "post_processor", out var post) || post.ValueKind == JsonValueKind.Null) return null;
        switch (TypeOf(post))
        {
            case "BertProcessing" or "RobertaProcessing":
                return (PairId(post, "cls", vocabulary, path), PairId(post, "sep", vocabulary, path));
            case "TemplateProcessing":
                if (Has(post, "single", out var single) && single.ValueKind == JsonValueKind.Array && single.GetArrayLength() == 3
                    && Has(single[0], "SpecialToken", out var first) && Has(single[1], "Sequence", out _)
                    && Has(single[2], "SpecialToken", out var last)
                    && Has(post, "special_tokens", out var specials) && specials.ValueKind == JsonValueKind.Object)
                    return (TemplateId(specials, first, vocabulary, path), TemplateId(specials, last, vocabulary, path));
                throw new ModelFormatException(path, "post_processor template is not BERT's [CLS] $A [SEP]");
            default:
                throw new ModelFormatException(path, $"post_processor {Describe(post)} is not supported: only BERT's [CLS] ... [SEP] is");
        }
    }

    private static int TemplateId(JsonElement specials, JsonElement piece, Vocabulary vocabulary, string path)
    {
        var name = Has(piece, "id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        if (name is null || !Has(specials, name, out var special) || !Has(special, "ids", out var ids)
            || ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() != 1)
            throw new ModelFormatException(path, $"post_processor special token \"{name}\" has no single id");
        return CheckId(ids[0], vocabulary, path, $"post_processor's {name}");
    }

    private static int PairId(JsonElement post, string name, Vocabulary vocabulary, string path)
    {
        if (Has(post, name, out var pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2)
            return CheckId(pair[1], vocabulary, path, $"post_processor.{name}");
        throw new ModelFormatException(path, $"post_processor.{name} is not a [token, id] pair");
    }

    /// <summary>An id the file gives a special token: it must be a token of the vocabulary.</summary>
    private static int CheckId(JsonElement value, Vocabulary vocabulary, string path, string what) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && vocabulary.GetToken(id) is not null
            ? id
            : throw new ModelFormatException(path, $"{what} is {value.GetRawText()}, not the id of a token in the vocabulary");

    private static AddedToken ReadAddedToken(JsonElement token, string path, string where)
    {
        if (token.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, $"an entry of {where} is not an object");
        var content = RequiredString(token, "content", path, where);
        bool Flag(string name, bool fallback) => Has(token, name, out var v) ? ReadBool(v, path, $"{where}.{name}") ?? fallback : fallback;
        if (Flag("single_word", false))
            throw new ModelFormatException(path, $"added token \"{content}\" is single_word, which is not supported");
        return new AddedToken(content, Normalized: Flag("normalized", !Flag("special", false)), LStrip: Flag("lstrip", false), RStrip: Flag("rstrip", false));
    }

    private static SpecialNames ReadSpecialNames(JsonElement? config, string configPath)
    {
        string Name(string key, string fallback)
        {
            if (config is not { } c || !Has(c, key, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
            if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
            if (v.ValueKind == JsonValueKind.Object && Has(v, "content", out var content) && content.ValueKind == JsonValueKind.String) return content.GetString()!;
            throw new ModelFormatException(configPath, $"{key} is neither a string nor a token object");
        }
        return new SpecialNames(Name("unk_token", "[UNK]"), Name("sep_token", "[SEP]"), Name("pad_token", "[PAD]"), Name("cls_token", "[CLS]"), Name("mask_token", "[MASK]"));
    }

    private static int RequireId(Vocabulary vocabulary, string token, string path) =>
        vocabulary.TryGetId(token, out int id) ? id : throw new ModelFormatException(path, $"the special token \"{token}\" is not in the vocabulary");

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            try
            {
                JsonUnicode.Check(document.RootElement, path);
            }
            catch
            {
                document.Dispose();
                throw;
            }
            return document;
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, "is not valid JSON: " + e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, "cannot be read: " + e.Message, e);
        }
    }

    /// <summary>TryGetProperty that answers false, rather than throwing, for anything but an object.</summary>
    private static bool Has(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value);
    }

    private static string? TypeOf(JsonElement element) =>
        Has(element, "type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => "(none)",
        JsonValueKind.Object => $"\"{TypeOf(element)}\"",
        _ => element.GetRawText(),
    };

    private static JsonElement Required(JsonElement obj, string name, string path, string where) =>
        Has(obj, name, out var value) ? value : throw new ModelFormatException(path, $"{where}.{name} is missing");

    private static string RequiredString(JsonElement obj, string name, string path, string where)
    {
        var value = Required(obj, name, path, where);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new ModelFormatException(path, $"{where}.{name} is not a string");
    }

    private static int RequiredPositiveInt(JsonElement obj, string name, string path, string where)
    {
        var value = Required(obj, name, path, where);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n > 0
            ? n
            : throw new ModelFormatException(path, $"{where}.{name} is not a positive integer");
    }

    private static bool? OptionalBool(JsonElement? obj, string name, string path) =>
        obj is { } o && Has(o, name, out var value) ? ReadBool(value, path, name) : null;

    private static bool? ReadBool(JsonElement value, string path, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw new ModelFormatException(path, $"{name} is {value.GetRawText()}, not true, false or null"),
    };

    private static ModelFormatException NullFlag(string path, string name) => new(path, $"normalizer.{name} is null, not true or false");
}
