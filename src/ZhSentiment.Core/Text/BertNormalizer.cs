using System.Buffers;
using System.Runtime.CompilerServices;

namespace ZhSentiment.Text;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c>, step for step: clean_text (drop NUL, U+FFFD and control characters, turn
/// every whitespace into a space), handle_chinese_chars (a space either side of each CJK ideograph), strip_accents
/// (NFD, then drop non-spacing marks) and lowercase, in that order. An unpaired surrogate reads as U+FFFD, as it does
/// once text reaches the reference as UTF-8.
/// </summary>
internal sealed class BertNormalizer
{
    /// <param name="stripAccents">Null means "as <paramref name="lowercase"/>", HF's (and the original BERT's) default.</param>
    public BertNormalizer(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase)
    {
        CleanText = cleanText;
        HandleChineseChars = handleChineseChars;
        StripAccents = stripAccents ?? lowercase;
        Lowercase = lowercase;
    }

    public bool CleanText { get; }
    public bool HandleChineseChars { get; }
    public bool StripAccents { get; }
    public bool Lowercase { get; }

    public string Normalize(string text)
    {
        var output = new PooledBuffer<char>(text.Length);
        try
        {
            Normalize(text, ref output);
            return new string(output.Span);
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>Appends the normalized <paramref name="text"/> to <paramref name="output"/>.</summary>
    public void Normalize(ReadOnlySpan<char> text, ref PooledBuffer<char> output)
    {
        int start = output.Length;
        if (NormalizeWithoutDecomposing(text, ref output)) return;
        output.Truncate(start);
        NormalizeDecomposing(text, ref output);
    }

    /// <summary>
    /// One pass, character by character: all it takes unless accents are stripped from text where NFD changes
    /// something (decomposable characters, combining marks). Returns false, having written part, in that case.
    /// </summary>
    private bool NormalizeWithoutDecomposing(ReadOnlySpan<char> text, ref PooledBuffer<char> output)
    {
        var decomposing = StripAccents ? BertCharFlags.Decomposes | BertCharFlags.Combining : BertCharFlags.None;
        for (int i = 0; i < text.Length;)
        {
            int scalar = NextScalar(text, ref i);
            if (!Clean(ref scalar, out var flags)) continue;
            if ((flags & decomposing) != 0) return false;
            if (StripAccents && (flags & BertCharFlags.NonspacingMark) != 0) continue;
            if (HandleChineseChars && (flags & BertCharFlags.Chinese) != 0)
            {
                output.Add(' ');
                AppendLowered(scalar, flags, ref output);
                output.Add(' ');
            }
            else
            {
                AppendLowered(scalar, flags, ref output);
            }
        }
        return true;
    }

    private void NormalizeDecomposing(ReadOnlySpan<char> text, ref PooledBuffer<char> output)
    {
        // NFD reorders combining marks across character boundaries, so decompose the whole text into scalars first.
        var scalars = new PooledBuffer<int>(text.Length + 8);
        try
        {
            Span<int> decomposition = stackalloc int[BertUnicode.MaxDecompositionLength];
            for (int i = 0; i < text.Length;)
            {
                int scalar = NextScalar(text, ref i);
                if (!Clean(ref scalar, out var flags)) continue;
                bool spaced = HandleChineseChars && (flags & BertCharFlags.Chinese) != 0;
                if (spaced) scalars.Add(' ');
                if ((flags & BertCharFlags.Decomposes) != 0)
                {
                    int n = BertUnicode.Decompose(scalar, decomposition);
                    for (int k = 0; k < n; k++) scalars.Add(decomposition[k]);
                }
                else
                {
                    scalars.Add(scalar);
                }
                if (spaced) scalars.Add(' ');
            }
            OrderCombiningMarks(scalars.Span);
            foreach (int scalar in scalars.Span)
            {
                var flags = BertUnicode.Flags(scalar);
                if ((flags & BertCharFlags.NonspacingMark) == 0) AppendLowered(scalar, flags, ref output);
            }
        }
        finally
        {
            scalars.Dispose();
        }
    }

    /// <summary>Applies clean_text to one scalar; false when it is dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Clean(ref int scalar, out BertCharFlags flags)
    {
        flags = BertUnicode.Flags(scalar);
        if (!CleanText) return true;
        if ((flags & BertCharFlags.Dropped) != 0) return false;
        if ((flags & BertCharFlags.Whitespace) != 0)
        {
            scalar = ' ';
            flags = BertCharFlags.Whitespace;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendLowered(int scalar, BertCharFlags flags, ref PooledBuffer<char> output)
    {
        if (Lowercase && (flags & BertCharFlags.Lowercases) != 0)
        {
            if (scalar < 0x80)
            {
                output.Add((char)(scalar | 0x20));
                return;
            }
            scalar = BertUnicode.ToLower(scalar, out int second);
            if (second != 0)
            {
                AppendScalar(scalar, ref output);
                scalar = second;
            }
        }
        AppendScalar(scalar, ref output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AppendScalar(int scalar, ref PooledBuffer<char> output)
    {
        if (scalar < 0x10000)
        {
            output.Add((char)scalar);
        }
        else
        {
            output.Add((char)(((scalar - 0x10000) >> 10) + 0xD800));
            output.Add((char)(((scalar - 0x10000) & 0x3FF) + 0xDC00));
        }
    }

    /// <summary>Reads the scalar at <paramref name="index"/> and moves past it; an unpaired surrogate is U+FFFD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NextScalar(ReadOnlySpan<char> text, ref int index)
    {
        char c = text[index++];
        if (!char.IsSurrogate(c)) return c;
        if (char.IsHighSurrogate(c) && index < text.Length && char.IsLowSurrogate(text[index]))
            return char.ConvertToUtf32(c, text[index++]);
        return 0xFFFD;
    }

    /// <summary>NFD's canonical ordering: a stable sort of each run of combining marks by combining class.</summary>
    private static void OrderCombiningMarks(Span<int> scalars)
    {
        for (int i = 0; i < scalars.Length;)
        {
            if ((BertUnicode.Flags(scalars[i]) & BertCharFlags.Combining) == 0)
            {
                i++;
                continue;
            }
            int start = i;
            while (i < scalars.Length && (BertUnicode.Flags(scalars[i]) & BertCharFlags.Combining) != 0) i++;
            if (i - start > 1) SortRun(scalars[start..i]);
        }
    }

    private static void SortRun(Span<int> run)
    {
        // Keys (rank, position, scalar) are distinct, so an unstable sort of them is a stable sort by rank.
        long[]? rented = null;
        Span<long> keys = run.Length <= 64 ? stackalloc long[run.Length] : (rented = ArrayPool<long>.Shared.Rent(run.Length)).AsSpan(0, run.Length);
        for (int k = 0; k < run.Length; k++)
            keys[k] = ((long)BertUnicode.CombiningRank(run[k]) << 53) | ((long)k << 21) | (uint)run[k];
        keys.Sort();
        for (int k = 0; k < run.Length; k++) run[k] = (int)(keys[k] & 0x1FFFFF);
        if (rented is not null) ArrayPool<long>.Shared.Return(rented);
    }
}
