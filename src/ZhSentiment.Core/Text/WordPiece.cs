namespace ZhSentiment.Text;

/// <summary>
/// Hugging Face's WordPiece model: greedy longest-match-first over a word, pieces after the first looked up with the
/// continuing-subword prefix (<c>##</c>). A word longer than <see cref="MaxInputCharsPerWord"/> scalar values, or one
/// with any part that matches nothing, becomes a single unknown token.
/// </summary>
internal sealed class WordPiece
{
    private readonly Vocabulary _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _maxContinuationLength;

    public WordPiece(Vocabulary vocabulary, string unknownToken, string continuingSubwordPrefix = "##", int maxInputCharsPerWord = 100, string file = "vocabulary")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxInputCharsPerWord);
        if (!vocabulary.TryGetId(unknownToken, out int unknownId))
            throw new ModelFormatException(file, $"the unknown token \"{unknownToken}\" is not in the vocabulary");
        _vocabulary = vocabulary;
        UnknownId = unknownId;
        MaxInputCharsPerWord = maxInputCharsPerWord;

        // Continuation pieces keyed without their prefix, so a piece is looked up straight from the word's chars.
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocabulary.Entries)
            if (token.StartsWith(continuingSubwordPrefix, StringComparison.Ordinal)) continuations[token[continuingSubwordPrefix.Length..]] = id;
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxContinuationLength = continuations.Count == 0 ? 0 : continuations.Keys.Max(k => k.Length);
    }

    public int UnknownId { get; }
    public int MaxInputCharsPerWord { get; }

    public void Tokenize<TSink>(ReadOnlySpan<char> word, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (word.Length > MaxInputCharsPerWord && ScalarCount(word) > MaxInputCharsPerWord)
        {
            sink.Add(UnknownId);
            return;
        }
        if (_vocabulary.TryGetId(word, out int id))
        {
            sink.Add(id);
            return;
        }

        int mark = sink.Count;
        for (int start = 0; start < word.Length;)
        {
            int limit = start == 0 ? _vocabulary.MaxTokenLength : _maxContinuationLength;
            int end = Math.Min(word.Length, start + limit);
            if (end < word.Length && char.IsLowSurrogate(word[end]) && char.IsHighSurrogate(word[end - 1])) end--;
            bool found = false;
            while (end > start)
            {
                var piece = word[start..end];
                if (start == 0 ? _vocabulary.TryGetId(piece, out id) : _continuations.TryGetValue(piece, out id))
                {
                    found = true;
                    break;
                }
                end -= end - start >= 2 && char.IsLowSurrogate(word[end - 1]) && char.IsHighSurrogate(word[end - 2]) ? 2 : 1;
            }
            if (!found)
            {
                sink.Truncate(mark);
                sink.Add(UnknownId);
                return;
            }
            sink.Add(id);
            start = end;
        }
    }

    private static int ScalarCount(ReadOnlySpan<char> word)
    {
        int count = word.Length;
        for (int i = 1; i < word.Length; i++)
            if (char.IsLowSurrogate(word[i]) && char.IsHighSurrogate(word[i - 1])) count--;
        return count;
    }
}
