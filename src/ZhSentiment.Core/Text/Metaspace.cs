namespace ZhSentiment.Text;

/// <summary>When HF's <c>Metaspace</c> puts its replacement character before a piece of text.</summary>
internal enum PrependScheme
{
    /// <summary>Before every piece between added tokens (<c>add_prefix_space: true</c> in older files).</summary>
    Always,

    /// <summary>Only before the piece that starts the text.</summary>
    First,

    Never,
}

/// <summary>
/// HF's <c>Metaspace</c> pre-tokenizer, SentencePiece's view of spaces: every U+0020 becomes the replacement (▁),
/// one is prepended by <see cref="PrependScheme"/> unless the text already starts with it, and with
/// <c>split</c> the text is cut before each run of replacements (HF's <c>MergedWithNext</c>: a run stays together).
/// </summary>
internal sealed class Metaspace(char replacement, PrependScheme prepend, bool split)
{
    public char Replacement => replacement;

    /// <summary>Writes <paramref name="normalized"/> with spaces replaced and the prefix added.</summary>
    /// <param name="atTextStart">The piece begins the whole input (no added token before it).</param>
    public void Rewrite(ReadOnlySpan<char> normalized, bool atTextStart, ref PooledBuffer<char> output)
    {
        if (normalized.IsEmpty) return;
        bool prefix = prepend == PrependScheme.Always || (prepend == PrependScheme.First && atTextStart);
        if (prefix && normalized[0] != ' ' && normalized[0] != replacement) output.Add(replacement);
        foreach (char c in normalized) output.Add(c == ' ' ? replacement : c);
    }

    /// <summary>The words of rewritten text: slices of it, allocating nothing.</summary>
    public Words Split(ReadOnlySpan<char> rewritten) => new(rewritten, split ? replacement : null);

    public ref struct Words(ReadOnlySpan<char> text, char? boundary)
    {
        private readonly ReadOnlySpan<char> _text = text;
        private int _start = -1;
        private int _end;

        public readonly ReadOnlySpan<char> Current => _text[_start.._end];

        public readonly Words GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_end >= _text.Length) return false;
            _start = _end;
            if (boundary is not { } b)
            {
                _end = _text.Length;
                return true;
            }
            int i = _start;
            while (i < _text.Length && _text[i] == b) i++;
            int next = _text[i..].IndexOf(b);
            _end = next < 0 ? _text.Length : i + next;
            return true;
        }
    }
}
