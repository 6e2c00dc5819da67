using System.Text;
using System.Text.Json;

namespace ZhSentiment.Text;

/// <summary>
/// A WordPiece vocabulary: token to id and back. Lookups take a <see cref="ReadOnlySpan{T}"/> of chars, so the
/// tokenizer never builds a string to look a piece up.
/// </summary>
internal sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string?[] _tokens;
    private readonly int[] _singleChars;

    public Vocabulary(IEnumerable<KeyValuePair<string, int>> entries)
    {
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int limit = 0;
        foreach (var (token, id) in entries)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            _ids[token] = id;
            limit = Math.Max(limit, id + 1);
        }
        _tokens = new string?[limit];
        foreach (var (token, id) in _ids) _tokens[id] = token;
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        // Chinese text is mostly one-character words: those are found by indexing, not hashing.
        _singleChars = new int[char.MaxValue + 1];
        _singleChars.AsSpan().Fill(-1);
        foreach (var (token, id) in _ids)
            if (token.Length == 1) _singleChars[token[0]] = id;
        MaxTokenLength = _ids.Count == 0 ? 0 : _ids.Keys.Max(t => t.Length);
    }

    /// <summary>Number of distinct tokens.</summary>
    public int Count => _ids.Count;

    /// <summary>One more than the largest id.</summary>
    public int IdLimit => _tokens.Length;

    /// <summary>Length in chars of the longest token: no longer piece can match.</summary>
    public int MaxTokenLength { get; }

    public IEnumerable<KeyValuePair<string, int>> Entries => _ids;

    public bool TryGetId(ReadOnlySpan<char> token, out int id)
    {
        if (token.Length == 1)
        {
            id = _singleChars[token[0]];
            return id >= 0;
        }
        return _lookup.TryGetValue(token, out id);
    }

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>The token with this id, or null when no token has it.</summary>
    public string? GetToken(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    /// <summary>
    /// Reads a vocab.txt: one token per line, the id is the line number. Lines end at LF, CR LF or CR, as Python's
    /// text reading (and so transformers) splits them; a later duplicate wins, as in transformers' dict.
    /// </summary>
    public static Vocabulary ReadVocabTxt(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new ModelFormatException(path, "is not valid UTF-8 text");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, "cannot be read: " + e.Message, e);
        }

        var entries = new List<KeyValuePair<string, int>>();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.AsSpan(start).IndexOfAny('\n', '\r');
            if (end < 0) end = text.Length; else end += start;
            entries.Add(new(text[start..end], entries.Count));
            start = end < text.Length && text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? end + 2 : end + 1;
        }
        if (entries.Count == 0) throw new ModelFormatException(path, "is empty: a vocabulary needs one token per line");
        return new Vocabulary(entries);
    }

    /// <summary>Reads tokenizer.json's <c>model.vocab</c>: an object of token to id.</summary>
    public static Vocabulary FromJson(JsonElement vocab, string file)
    {
        if (vocab.ValueKind != JsonValueKind.Object) throw new ModelFormatException(file, "model.vocab is not an object of token to id");
        var entries = new List<KeyValuePair<string, int>>();
        foreach (var property in vocab.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int id) || id < 0 || id > MaxId)
                throw new ModelFormatException(file, $"model.vocab gives token \"{property.Name}\" the id {property.Value.GetRawText()}, not an id from 0 to {MaxId}");
            entries.Add(new(property.Name, id));
        }
        if (entries.Count == 0) throw new ModelFormatException(file, "model.vocab is empty");
        return new Vocabulary(entries);
    }

    private const int MaxId = 1 << 24;
}
