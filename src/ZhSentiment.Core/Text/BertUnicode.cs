using System.Runtime.CompilerServices;

namespace ZhSentiment.Text;

/// <summary>What the BERT normalizer and pre-tokenizer need to know about one Unicode scalar value.</summary>
[Flags]
internal enum BertCharFlags : byte
{
    None = 0,
    Dropped = 1,
    Whitespace = 2,
    Punctuation = 4,
    Chinese = 8,
    NonspacingMark = 16,
    Decomposes = 32,
    Lowercases = 64,
    Combining = 128,
}

/// <summary>
/// The character classes, lowercase mappings and canonical decompositions exactly as Hugging Face's BERT tokenizer
/// applies them. The data (<c>BertUnicode.Data.cs</c>) is generated from that tokenizer, because it mixes Unicode
/// versions that .NET's own tables do not reproduce. Lookups are a two-stage table: no search on the hot path.
/// </summary>
internal static partial class BertUnicode
{
    private const int BlockBits = 8;
    private const int BlockSize = 1 << BlockBits;
    private const int ScalarLimit = 0x110000;

    private static readonly ushort[] BlockIndex;
    private static readonly byte[] Blocks;
    private static readonly int[] DecompositionKeys;
    private static readonly int[] DecompositionStarts;

    static BertUnicode() => (BlockIndex, Blocks, DecompositionKeys, DecompositionStarts) = Build();

    // Runs once, over every code point: compile it optimized straight away rather than as tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (ushort[], byte[], int[], int[]) Build()
    {
        var flags = new byte[ScalarLimit];
        Paint(flags, DroppedRanges, BertCharFlags.Dropped);
        Paint(flags, WhitespaceRanges, BertCharFlags.Whitespace);
        Paint(flags, PunctuationRanges, BertCharFlags.Punctuation);
        Paint(flags, ChineseRanges, BertCharFlags.Chinese);
        Paint(flags, NonspacingMarkRanges, BertCharFlags.NonspacingMark);
        for (int i = 0; i < CombiningRanks.Length; i += 3)
            for (int cp = CombiningRanks[i]; cp <= CombiningRanks[i + 1]; cp++) flags[cp] |= (byte)BertCharFlags.Combining;
        for (int i = 0; i < Lowercase.Length; i += 3) flags[Lowercase[i]] |= (byte)BertCharFlags.Lowercases;
        for (int cp = HangulFirst; cp <= HangulLast; cp++) flags[cp] |= (byte)BertCharFlags.Decomposes;

        var keys = new List<int>();
        var starts = new List<int>();
        for (int i = 0; i < Decompositions.Length; i += 2 + Decompositions[i + 1])
        {
            keys.Add(Decompositions[i]);
            starts.Add(i);
            flags[Decompositions[i]] |= (byte)BertCharFlags.Decomposes;
        }

        // Most 256-code-point blocks are identical (unassigned planes, ideographs), so share them.
        var blockIndex = new ushort[ScalarLimit / BlockSize];
        var unique = new List<ReadOnlyMemory<byte>>();
        var seen = new Dictionary<ReadOnlyMemory<byte>, ushort>(BlockComparer.Instance);
        for (int b = 0; b < blockIndex.Length; b++)
        {
            var block = flags.AsMemory(b * BlockSize, BlockSize);
            if (!seen.TryGetValue(block, out var index))
            {
                index = checked((ushort)unique.Count);
                seen.Add(block, index);
                unique.Add(block);
            }
            blockIndex[b] = index;
        }
        var blocks = new byte[unique.Count * BlockSize];
        for (int i = 0; i < unique.Count; i++) unique[i].Span.CopyTo(blocks.AsSpan(i * BlockSize));
        return (blockIndex, blocks, [.. keys], [.. starts]);
    }

    private sealed class BlockComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly BlockComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> block)
        {
            var hash = new HashCode();
            hash.AddBytes(block.Span);
            return hash.ToHashCode();
        }
    }

    private static void Paint(byte[] flags, ReadOnlySpan<int> ranges, BertCharFlags flag)
    {
        for (int i = 0; i < ranges.Length; i += 2)
            flags.AsSpan(ranges[i], ranges[i + 1] - ranges[i] + 1).Or((byte)flag);
    }

    private static void Or(this Span<byte> span, byte value)
    {
        foreach (ref var b in span) b |= value;
    }

    /// <summary>The flags of a Unicode scalar value (0 to 0x10FFFF).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BertCharFlags Flags(int scalar) =>
        (BertCharFlags)Blocks[(BlockIndex[scalar >> BlockBits] << BlockBits) | (scalar & (BlockSize - 1))];

    /// <summary>Lowercase of a scalar flagged <see cref="BertCharFlags.Lowercases"/>; <paramref name="second"/> is 0 unless it lowercases to two.</summary>
    public static int ToLower(int scalar, out int second)
    {
        var table = Lowercase;
        int lo = 0, hi = table.Length / 3 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int key = table[mid * 3];
            if (key == scalar)
            {
                second = table[mid * 3 + 2];
                return table[mid * 3 + 1];
            }
            if (key < scalar) lo = mid + 1; else hi = mid - 1;
        }
        second = 0;
        return scalar;
    }

    private const int HangulFirst = 0xAC00, HangulLast = 0xD7A3;

    /// <summary>
    /// Writes the full canonical decomposition of a scalar flagged <see cref="BertCharFlags.Decomposes"/> (at most
    /// <see cref="MaxDecompositionLength"/> scalars) and returns its length.
    /// </summary>
    public static int Decompose(int scalar, Span<int> destination)
    {
        if (scalar is >= HangulFirst and <= HangulLast)
        {
            int s = scalar - HangulFirst;
            destination[0] = 0x1100 + s / 588;
            destination[1] = 0x1161 + s % 588 / 28;
            int t = s % 28;
            if (t == 0) return 2;
            destination[2] = 0x11A7 + t;
            return 3;
        }
        int i = Array.BinarySearch(DecompositionKeys, scalar);
        if (i < 0)
        {
            destination[0] = scalar;
            return 1;
        }
        var table = Decompositions;
        int start = DecompositionStarts[i], count = table[start + 1];
        table.Slice(start + 2, count).CopyTo(destination);
        return count;
    }

    public const int MaxDecompositionLength = 4;

    /// <summary>Rank of the canonical combining class of a scalar flagged <see cref="BertCharFlags.Combining"/>.</summary>
    public static int CombiningRank(int scalar)
    {
        var table = CombiningRanks;
        int lo = 0, hi = table.Length / 3 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (scalar < table[mid * 3]) hi = mid - 1;
            else if (scalar > table[mid * 3 + 1]) lo = mid + 1;
            else return table[mid * 3 + 2];
        }
        return 0;
    }
}
