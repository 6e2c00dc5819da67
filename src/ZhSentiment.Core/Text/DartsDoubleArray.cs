namespace ZhSentiment.Text;

/// <summary>
/// The Darts double-array trie that SentencePiece serializes into a <c>precompiled_charsmap</c>: 32-bit units keyed by
/// UTF-8 bytes, each holding a label, an offset to its children, a leaf flag, or (under a leaf) a value.
/// </summary>
internal sealed class DartsDoubleArray(uint[] units)
{
    /// <summary>
    /// The value of the shortest key that is a prefix of <paramref name="key"/>, or -1: the first result of Darts'
    /// common-prefix search, which is what HF's Precompiled normalizer uses. A NUL byte ends the key.
    /// </summary>
    public int ShortestPrefixValue(ReadOnlySpan<byte> key)
    {
        if (units.Length == 0) return -1;
        uint position = Offset(units[0]);
        foreach (byte b in key)
        {
            if (b == 0) break;
            position ^= b;
            if (position >= units.Length) return -1;
            uint unit = units[position];
            if (Label(unit) != b) return -1;
            position ^= Offset(unit);
            if (HasLeaf(unit)) return position < units.Length ? (int)(units[position] & 0x7FFFFFFF) : -1;
        }
        return -1;
    }

    // The unit layout of Darts-clone (darts.h), as SentencePiece writes it.
    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);

    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;
}
