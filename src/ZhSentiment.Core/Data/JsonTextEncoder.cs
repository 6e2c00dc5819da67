using System.Text.Encodings.Web;

namespace ZhSentiment.Data;

/// <summary>
/// Escapes only what JSON requires: quote, backslash and control characters. Chinese and emoji stay UTF-8 (the
/// built-in encoders, even the relaxed one, write characters outside the Basic Multilingual Plane as
/// <c>\uD83D\uDE0A</c>). For JSON written as data (files, stdout), never for JSON embedded in HTML.
/// </summary>
public sealed class JsonTextEncoder : JavaScriptEncoder
{
    public static JsonTextEncoder Instance { get; } = new();

    private JsonTextEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar < 0x20 || unicodeScalar is '"' or '\\';

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
        {
            char c = text[i];
            if (c < 0x20 || c is '"' or '\\') return i;
            if (char.IsHighSurrogate(c) && i + 1 < textLength && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            // A lone surrogate: the base encoder replaces it.
            if (char.IsSurrogate(c)) return i;
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var rune = new System.Text.Rune(unicodeScalar);
        string text = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            < 0x20 => $"\\u{unicodeScalar:X4}",
            _ => rune.ToString(),
        };
        numberOfCharactersWritten = 0;
        if (text.Length > bufferLength) return false;
        text.AsSpan().CopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = text.Length;
        return true;
    }
}
