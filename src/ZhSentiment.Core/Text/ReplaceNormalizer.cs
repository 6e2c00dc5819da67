using System.Text.RegularExpressions;

namespace ZhSentiment.Text;

/// <summary>
/// HF's <c>Replace</c> normalizer: every non-overlapping match of a literal string or a regular expression, left to
/// right, becomes <c>content</c>. HF matches with Oniguruma, this with .NET's engine: the same for the patterns
/// SentencePiece converters write (<c>" {2,}"</c>).
/// </summary>
internal sealed class ReplaceNormalizer : ISpanNormalizer
{
    private readonly Regex _pattern;
    private readonly string _content;

    public ReplaceNormalizer(Regex pattern, string content)
    {
        _pattern = pattern;
        _content = content;
    }

    public static ReplaceNormalizer Literal(string pattern, string content) =>
        new(new Regex(Regex.Escape(pattern), RegexOptions.CultureInvariant), content);

    public static ReplaceNormalizer Expression(string pattern, string content) =>
        new(new Regex(pattern, RegexOptions.CultureInvariant), content);

    public void Normalize(ReadOnlySpan<char> text, ref PooledBuffer<char> output)
    {
        int copied = 0;
        foreach (var match in _pattern.EnumerateMatches(text))
        {
            if (match.Length == 0) continue; // a pattern that can match nothing would otherwise insert content everywhere
            output.AddRange(text[copied..match.Index]);
            output.AddRange(_content);
            copied = match.Index + match.Length;
        }
        output.AddRange(text[copied..]);
    }
}
