using System.Text.Json;
using static ZhSentiment.Text.TokenizerJson;

namespace ZhSentiment.Text;

/// <summary>
/// Reads a SentencePiece Unigram <c>tokenizer.json</c>, as transformers' converters write it for XLM-RoBERTa: a
/// <c>Sequence</c> of <c>Precompiled</c>, <c>Strip</c> and <c>Replace</c> normalizers, the <c>Metaspace</c>
/// pre-tokenizer (<c>prepend_scheme</c>, or the older <c>add_prefix_space</c>), the <c>Unigram</c> model
/// (<c>vocab</c> as [piece, score] pairs, <c>unk_id</c>, <c>byte_fallback</c>) and a post-processor framing the
/// text by &lt;s&gt; … &lt;/s&gt;.
/// </summary>
internal static class SentencePieceTokenizerLoader
{
    public static SentencePieceTokenizer FromTokenizerJson(JsonElement root, string path, JsonElement? config, string configPath)
    {
        var model = ReadModel(root.GetProperty("model"), path);
        var normalizer = Has(root, "normalizer", out var n) && n.ValueKind != JsonValueKind.Null ? ReadNormalizer(n, path) : new NormalizerSequence([]);
        if (!Has(root, "pre_tokenizer", out var pre) || TypeOf(pre) != "Metaspace")
            throw new ModelFormatException(path, $"pre_tokenizer {Describe(pre)} is not supported with a Unigram model: only Metaspace is");
        var metaspace = ReadMetaspace(pre, path);

        bool IsToken(int id) => (uint)id < (uint)model.Count;
        int Named(string key, string fallback)
        {
            string name = SpecialName(config, key, fallback, configPath);
            return model.TryGetId(name, out int id) ? id : throw new ModelFormatException(path, $"the special token \"{name}\" is not in the vocabulary");
        }
        var (cls, sep) = ReadFraming(root, IsToken, path) ?? (Named("cls_token", "<s>"), Named("sep_token", "</s>"));
        int pad = Has(root, "padding", out var padding) && padding.ValueKind == JsonValueKind.Object && Has(padding, "pad_id", out var padId)
            ? CheckId(padId, IsToken, path, "padding.pad_id")
            : Named("pad_token", "<pad>");
        return new SentencePieceTokenizer(normalizer, metaspace, model, AddedTokens(root, path), cls, sep, pad);
    }

    private static Unigram ReadModel(JsonElement model, string path)
    {
        var vocab = Required(model, "vocab", path, "model");
        if (vocab.ValueKind != JsonValueKind.Array || vocab.GetArrayLength() == 0)
            throw new ModelFormatException(path, "model.vocab is not a non-empty list of [piece, score] pairs");
        var pieces = new List<(string, double)>(vocab.GetArrayLength());
        foreach (var entry in vocab.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || entry[0].ValueKind != JsonValueKind.String
                || entry[1].ValueKind != JsonValueKind.Number || !double.IsFinite(entry[1].GetDouble()))
                throw new ModelFormatException(path, $"model.vocab entry {pieces.Count} is {entry.GetRawText()}, not a [piece, score] pair");
            pieces.Add((entry[0].GetString()!, entry[1].GetDouble()));
        }
        var unk = Required(model, "unk_id", path, "model");
        if (unk.ValueKind != JsonValueKind.Number || !unk.TryGetInt32(out int unkId) || unkId < 0 || unkId >= pieces.Count)
            throw new ModelFormatException(path, $"model.unk_id is {unk.GetRawText()}, not the id of a piece (an unknown token is required)");
        bool byteFallback = Has(model, "byte_fallback", out var fallback) && ReadBool(fallback, path, "model.byte_fallback") == true;
        return new Unigram(pieces, unkId, byteFallback);
    }

    private static ISpanNormalizer ReadNormalizer(JsonElement normalizer, string path)
    {
        switch (TypeOf(normalizer))
        {
            case "Sequence":
                var steps = Required(normalizer, "normalizers", path, "normalizer");
                if (steps.ValueKind != JsonValueKind.Array) throw new ModelFormatException(path, "normalizer.normalizers is not a list");
                return new NormalizerSequence(steps.EnumerateArray().Select(s => ReadNormalizer(s, path)).ToList());
            case "Precompiled":
                var charsmap = Required(normalizer, "precompiled_charsmap", path, "Precompiled");
                byte[] bytes;
                try
                {
                    bytes = charsmap.ValueKind == JsonValueKind.String ? Convert.FromBase64String(charsmap.GetString()!) : [];
                }
                catch (FormatException)
                {
                    throw new ModelFormatException(path, "Precompiled.precompiled_charsmap is not base64");
                }
                return new PrecompiledNormalizer(bytes, path);
            case "Strip":
                bool Side(string key) => Has(normalizer, key, out var v) && ReadBool(v, path, $"Strip.{key}") == true;
                return new StripNormalizer(Side("strip_left"), Side("strip_right"));
            case "Replace":
                var pattern = Required(normalizer, "pattern", path, "Replace");
                string content = RequiredString(normalizer, "content", path, "Replace");
                if (Has(pattern, "String", out var literal) && literal.ValueKind == JsonValueKind.String && literal.GetString()!.Length > 0)
                    return ReplaceNormalizer.Literal(literal.GetString()!, content);
                if (Has(pattern, "Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
                {
                    try
                    {
                        return ReplaceNormalizer.Expression(regex.GetString()!, content);
                    }
                    catch (ArgumentException e)
                    {
                        throw new ModelFormatException(path, $"Replace pattern {regex.GetRawText()} is not a usable regular expression: {e.Message}");
                    }
                }
                throw new ModelFormatException(path, $"Replace.pattern {pattern.GetRawText()} is neither a non-empty String nor a Regex");
            default:
                throw new ModelFormatException(path, $"normalizer {Describe(normalizer)} is not supported with a Unigram model: only Precompiled, Strip and Replace (alone or in a Sequence) are");
        }
    }

    private static Metaspace ReadMetaspace(JsonElement pre, string path)
    {
        string replacement = RequiredString(pre, "replacement", path, "pre_tokenizer");
        if (replacement.Length != 1 || char.IsSurrogate(replacement[0]))
            throw new ModelFormatException(path, $"pre_tokenizer.replacement \"{replacement}\" is not one character of the Basic Multilingual Plane");
        PrependScheme scheme;
        if (Has(pre, "prepend_scheme", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            scheme = s.ValueKind == JsonValueKind.String ? s.GetString() switch
            {
                "always" => PrependScheme.Always,
                "first" => PrependScheme.First,
                "never" => PrependScheme.Never,
                _ => throw new ModelFormatException(path, $"pre_tokenizer.prepend_scheme {s.GetRawText()} is not always, first or never"),
            } : throw new ModelFormatException(path, $"pre_tokenizer.prepend_scheme {s.GetRawText()} is not always, first or never");
        }
        else
        {
            // Files written before prepend_scheme existed say add_prefix_space (tokenizers reads true as always).
            scheme = Has(pre, "add_prefix_space", out var a) && ReadBool(a, path, "pre_tokenizer.add_prefix_space") == false ? PrependScheme.Never : PrependScheme.Always;
        }
        bool split = !Has(pre, "split", out var sp) || ReadBool(sp, path, "pre_tokenizer.split") != false;
        return new Metaspace(replacement[0], scheme, split);
    }
}
