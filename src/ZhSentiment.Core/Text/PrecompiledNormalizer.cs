using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace ZhSentiment.Text;

/// <summary>
/// HF's <c>Precompiled</c> normalizer: SentencePiece's own normalization (for XLM-R, <c>nmt_nfkc</c>: NFKC plus
/// NMT's whitespace and control-character rules) as its <c>precompiled_charsmap</c> serializes it: a little-endian
/// u32 trie size, a Darts double-array trie over UTF-8 keys, then NUL-terminated replacement strings the trie's
/// values point into.
/// </summary>
/// <remarks>
/// It is applied as HF's tokenizers applies it (normalizers/precompiled.rs), not as SentencePiece does: text is cut
/// into extended grapheme clusters; a cluster of under 6 UTF-8 bytes is looked up whole, and the replacement of the
/// shortest key that begins it stands for the whole cluster (so <c>Ａ</c> + U+0301 becomes <c>A</c>); otherwise each
/// scalar value is looked up on its own and kept when no key matches.
/// </remarks>
internal sealed class PrecompiledNormalizer : ISpanNormalizer
{
    private readonly DartsDoubleArray _trie;
    private readonly char[] _replacements;
    private readonly int[] _charAtByte;

    public PrecompiledNormalizer(ReadOnlySpan<byte> charsmap, string file)
    {
        if (charsmap.Length < 4) throw Malformed(file, "shorter than its 4-byte header");
        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(charsmap);
        if (trieBytes % 4 != 0 || trieBytes > (uint)(charsmap.Length - 4)) throw Malformed(file, $"its trie of {trieBytes} bytes does not fit");
        var units = new uint[trieBytes / 4];
        for (int i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(charsmap[(4 + 4 * i)..]);
        _trie = new DartsDoubleArray(units);

        var blob = charsmap[(4 + (int)trieBytes)..];
        if (!Utf8.IsValid(blob)) throw Malformed(file, "its replacement strings are not UTF-8");
        // The trie's values are byte offsets into the blob: map each to a char index once, so a lookup decodes nothing.
        _replacements = new char[Encoding.UTF8.GetCharCount(blob)];
        Encoding.UTF8.GetChars(blob, _replacements);
        _charAtByte = new int[blob.Length + 1];
        _charAtByte.AsSpan().Fill(-1);
        for (int b = 0, c = 0; b < blob.Length;)
        {
            Rune.DecodeFromUtf8(blob[b..], out var rune, out int used);
            _charAtByte[b] = c;
            b += used;
            c += rune.Utf16SequenceLength;
        }
        _charAtByte[blob.Length] = _replacements.Length;
    }

    /// <remarks><paramref name="text"/> must hold no unpaired surrogate (a Rust string cannot).</remarks>
    public void Normalize(ReadOnlySpan<char> text, ref PooledBuffer<char> output)
    {
        Span<byte> utf8 = stackalloc byte[8];
        for (int i = 0; i < text.Length;)
        {
            int length = StringInfo.GetNextTextElementLength(text[i..]);
            var cluster = text.Slice(i, length);
            i += length;
            if (length < 6 && Encoding.UTF8.GetByteCount(cluster) is var bytes and < 6)
            {
                Encoding.UTF8.GetBytes(cluster, utf8);
                if (TryAppend(utf8[..bytes], ref output)) continue;
            }
            for (int j = 0; j < cluster.Length;)
            {
                Rune.DecodeFromUtf16(cluster[j..], out var rune, out int used);
                if (!TryAppend(utf8[..rune.EncodeToUtf8(utf8)], ref output)) output.AddRange(cluster.Slice(j, used));
                j += used;
            }
        }
    }

    private bool TryAppend(ReadOnlySpan<byte> key, ref PooledBuffer<char> output)
    {
        int value = _trie.ShortestPrefixValue(key);
        if (value < 0 || value >= _charAtByte.Length || _charAtByte[value] < 0) return false;
        var replacement = _replacements.AsSpan(_charAtByte[value]);
        int end = replacement.IndexOf('\0');
        output.AddRange(end < 0 ? replacement : replacement[..end]);
        return true;
    }

    private static ModelFormatException Malformed(string file, string why) => new(file, $"normalizer's precompiled_charsmap is malformed: {why}");
}
