using System.Text.Json;

namespace ZhSentiment.Text;

/// <summary>
/// Reading Hugging Face's <c>tokenizer.json</c> and <c>tokenizer_config.json</c>, shared by the WordPiece and Unigram
/// loaders: parsing with errors that name the file, typed field access, added tokens and the post-processor's
/// special tokens.
/// </summary>
internal static class TokenizerJson
{
    public const string FileName = "tokenizer.json";
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>The model type of a parsed tokenizer.json: <c>model.type</c>, or as HF infers it when absent (BPE has merges).</summary>
    public static string ModelType(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "is not a JSON object");
        if (Has(root, "version", out var version) && version.ValueKind == JsonValueKind.String && version.GetString() != "1.0")
            throw new ModelFormatException(path, $"format version \"{version.GetString()}\" is not supported (expected 1.0)");
        if (!Has(root, "model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, "has no model object");
        // HF tries each model's fields when the type is missing: merges are BPE's, a list of [piece, score] Unigram's.
        return TypeOf(model) ?? (Has(model, "merges", out _) ? "BPE"
            : Has(model, "vocab", out var vocab) && vocab.ValueKind == JsonValueKind.Array ? "Unigram" : "WordPiece");
    }

    public static JsonDocument Parse(string path)
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

    /// <summary>The added tokens of <c>added_tokens</c> (none when absent or null).</summary>
    public static List<AddedToken> AddedTokens(JsonElement root, string path)
    {
        var added = new List<AddedToken>();
        if (Has(root, "added_tokens", out var addedTokens) && addedTokens.ValueKind != JsonValueKind.Null)
        {
            if (addedTokens.ValueKind != JsonValueKind.Array) throw new ModelFormatException(path, "added_tokens is not an array");
            foreach (var token in addedTokens.EnumerateArray()) added.Add(ReadAddedToken(token, path, "added_tokens"));
        }
        return added;
    }

    public static AddedToken ReadAddedToken(JsonElement token, string path, string where)
    {
        if (token.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, $"an entry of {where} is not an object");
        var content = RequiredString(token, "content", path, where);
        bool Flag(string name, bool fallback) => Has(token, name, out var v) ? ReadBool(v, path, $"{where}.{name}") ?? fallback : fallback;
        if (Flag("single_word", false))
            throw new ModelFormatException(path, $"added token \"{content}\" is single_word, which is not supported");
        return new AddedToken(content, Normalized: Flag("normalized", !Flag("special", false)), LStrip: Flag("lstrip", false), RStrip: Flag("rstrip", false));
    }

    /// <summary>
    /// The first and last special tokens of the post-processor's single-sequence template (<c>[CLS] $A [SEP]</c>,
    /// <c>&lt;s&gt; $A &lt;/s&gt;</c>); null when there is no post-processor. <paramref name="isToken"/> says whether an id
    /// belongs to the vocabulary.
    /// </summary>
    public static (int First, int Last)? ReadFraming(JsonElement root, Func<int, bool> isToken, string path)
    {
        if (!Has(root, "post_processor", out var post) || post.ValueKind == JsonValueKind.Null) return null;
        switch (TypeOf(post))
        {
            case "BertProcessing" or "RobertaProcessing":
                return (PairId(post, "cls", isToken, path), PairId(post, "sep", isToken, path));
            case "TemplateProcessing":
                if (Has(post, "single", out var single) && single.ValueKind == JsonValueKind.Array && single.GetArrayLength() == 3
                    && Has(single[0], "SpecialToken", out var first) && Has(single[1], "Sequence", out _)
                    && Has(single[2], "SpecialToken", out var last)
                    && Has(post, "special_tokens", out var specials) && specials.ValueKind == JsonValueKind.Object)
                    return (TemplateId(specials, first, isToken, path), TemplateId(specials, last, isToken, path));
                throw new ModelFormatException(path, "post_processor template is not one special token, the text, one special token");
            default:
                throw new ModelFormatException(path, $"post_processor {Describe(post)} is not supported: only a template framing the text by two special tokens is");
        }
    }

    private static int TemplateId(JsonElement specials, JsonElement piece, Func<int, bool> isToken, string path)
    {
        var name = Has(piece, "id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        if (name is null || !Has(specials, name, out var special) || !Has(special, "ids", out var ids)
            || ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() != 1)
            throw new ModelFormatException(path, $"post_processor special token \"{name}\" has no single id");
        return CheckId(ids[0], isToken, path, $"post_processor's {name}");
    }

    private static int PairId(JsonElement post, string name, Func<int, bool> isToken, string path)
    {
        if (Has(post, name, out var pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2)
            return CheckId(pair[1], isToken, path, $"post_processor.{name}");
        throw new ModelFormatException(path, $"post_processor.{name} is not a [token, id] pair");
    }

    /// <summary>An id the file gives a special token: it must be a token of the vocabulary.</summary>
    public static int CheckId(JsonElement value, Func<int, bool> isToken, string path, string what) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && isToken(id)
            ? id
            : throw new ModelFormatException(path, $"{what} is {value.GetRawText()}, not the id of a token in the vocabulary");

    /// <summary>A special token's name in tokenizer_config.json (a string or an AddedToken object), or <paramref name="fallback"/>.</summary>
    public static string SpecialName(JsonElement? config, string key, string fallback, string configPath)
    {
        if (config is not { } c || !Has(c, key, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
        if (v.ValueKind == JsonValueKind.Object && Has(v, "content", out var content) && content.ValueKind == JsonValueKind.String) return content.GetString()!;
        throw new ModelFormatException(configPath, $"{key} is neither a string nor a token object");
    }

    /// <summary>TryGetProperty that answers false, rather than throwing, for anything but an object.</summary>
    public static bool Has(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value);
    }

    public static string? TypeOf(JsonElement element) =>
        Has(element, "type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => "(none)",
        JsonValueKind.Object => $"\"{TypeOf(element)}\"",
        _ => element.GetRawText(),
    };

    public static JsonElement Required(JsonElement obj, string name, string path, string where) =>
        Has(obj, name, out var value) ? value : throw new ModelFormatException(path, $"{where}.{name} is missing");

    public static string RequiredString(JsonElement obj, string name, string path, string where)
    {
        var value = Required(obj, name, path, where);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new ModelFormatException(path, $"{where}.{name} is not a string");
    }

    public static int RequiredPositiveInt(JsonElement obj, string name, string path, string where)
    {
        var value = Required(obj, name, path, where);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n > 0
            ? n
            : throw new ModelFormatException(path, $"{where}.{name} is not a positive integer");
    }

    public static bool? OptionalBool(JsonElement? obj, string name, string path) =>
        obj is { } o && Has(o, name, out var value) ? ReadBool(value, path, name) : null;

    public static bool? ReadBool(JsonElement value, string path, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw new ModelFormatException(path, $"{name} is {value.GetRawText()}, not true, false or null"),
    };
}
