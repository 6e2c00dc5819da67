namespace ZhSentiment.Text;

/// <summary>
/// Hugging Face's <c>BertPreTokenizer</c>: splits normalized text into words at whitespace (dropped) and makes each
/// punctuation character a word of its own. Enumerates slices of the text; allocates nothing.
/// </summary>
internal ref struct BertPreTokenizer
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;
    private int _start;
    private int _end;

    public BertPreTokenizer(ReadOnlySpan<char> normalizedText) => _text = normalizedText;

    public readonly ReadOnlySpan<char> Current => _text[_start.._end];

    public readonly BertPreTokenizer GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_position < _text.Length)
        {
            int start = _position;
            var flags = BertUnicode.Flags(BertNormalizer.NextScalar(_text, ref _position));
            if ((flags & BertCharFlags.Whitespace) != 0) continue;
            _start = start;
            if ((flags & BertCharFlags.Punctuation) == 0)
            {
                while (_position < _text.Length)
                {
                    int next = _position;
                    if ((BertUnicode.Flags(BertNormalizer.NextScalar(_text, ref next)) & (BertCharFlags.Whitespace | BertCharFlags.Punctuation)) != 0) break;
                    _position = next;
                }
            }
            _end = _position;
            return true;
        }
        return false;
    }

    /// <summary>The words of <paramref name="normalizedText"/> as strings (for tests and diagnostics).</summary>
    public static List<string> Split(string normalizedText)
    {
        var words = new List<string>();
        foreach (var word in new BertPreTokenizer(normalizedText)) words.Add(word.ToString());
        return words;
    }
}
