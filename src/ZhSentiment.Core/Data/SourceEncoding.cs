using System.Text;
using System.Text.Unicode;

namespace ZhSentiment.Data;

/// <summary>The text encoding a <see cref="TableReader"/> found its source in.</summary>
public enum SourceEncoding
{
    Utf8,
    /// <summary>UTF-8 starting with the byte order mark EF BB BF (which is skipped).</summary>
    Utf8Bom,
    /// <summary>GB18030 (a superset of GBK and GB2312), chosen when the leading bytes are not valid UTF-8.</summary>
    Gb18030,
}

/// <summary>Detection of <see cref="SourceEncoding"/> from a source's leading bytes, and the GB18030 codec.</summary>
internal static class SourceEncodings
{
    /// <summary>How many leading bytes decide between UTF-8 and GB18030.</summary>
    public const int SniffBytes = 64 * 1024;

    public static Encoding Gb18030 { get; } = CreateGb18030();

    private static Encoding CreateGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(54936);
    }

    /// <summary>
    /// UTF-8 when <paramref name="head"/> is strictly valid UTF-8 (a sequence cut by the end of the sniffed bytes
    /// counts as valid unless <paramref name="complete"/>), otherwise GB18030.
    /// </summary>
    public static SourceEncoding Detect(ReadOnlySpan<byte> head, bool complete)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return SourceEncoding.Utf8Bom;
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            throw new InvalidDataException("the input is UTF-16 (byte order mark FF FE or FE FF); convert it to UTF-8");
        if (!complete) head = head[..CompleteUtf8Length(head)];
        return Utf8.IsValid(head) ? SourceEncoding.Utf8 : SourceEncoding.Gb18030;
    }

    /// <summary>The length of <paramref name="bytes"/> without a trailing multi-byte sequence that the cut left incomplete.</summary>
    private static int CompleteUtf8Length(ReadOnlySpan<byte> bytes)
    {
        int i = bytes.Length - 1, continuation = 0;
        while (i >= 0 && continuation < 3 && (bytes[i] & 0xC0) == 0x80) { i--; continuation++; }
        if (i < 0 || bytes[i] < 0xC0) return bytes.Length;
        int needed = bytes[i] >= 0xF0 ? 3 : bytes[i] >= 0xE0 ? 2 : 1;
        return continuation < needed ? i : bytes.Length;
    }
}
