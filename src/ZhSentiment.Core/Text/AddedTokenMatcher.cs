using System.Buffers;

namespace ZhSentiment.Text;

/// <summary>
/// Finds added tokens in text the way HF's Aho-Corasick does (leftmost-longest, non-overlapping): jump to the next
/// char that starts some pattern, take the longest pattern there.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly (string Pattern, int Id, AddedToken Token)[] _patterns;
    private readonly SearchValues<char> _firstChars;

    /// <param name="patterns">What to look for (the content, or its normalized form), its id and the token.</param>
    public AddedTokenMatcher(IEnumerable<(string Pattern, int Id, AddedToken Token)> patterns)
    {
        _patterns = patterns.Where(p => p.Pattern.Length > 0)
            .DistinctBy(p => p.Pattern)
            .OrderByDescending(p => p.Pattern.Length)
            .ToArray();
        _firstChars = SearchValues.Create(_patterns.Select(p => p.Pattern[0]).Distinct().ToArray());
    }

    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>The first match at or after <paramref name="from"/>, widened by lstrip/rstrip (never before <paramref name="floor"/>).</summary>
    public bool TryMatch(ReadOnlySpan<char> text, int from, int floor, out int start, out int end, out int id)
    {
        while (from < text.Length)
        {
            int at = text[from..].IndexOfAny(_firstChars);
            if (at < 0) break;
            at += from;
            foreach (var (pattern, patternId, token) in _patterns)
            {
                if (!text[at..].StartsWith(pattern, StringComparison.Ordinal)) continue;
                start = at;
                end = at + pattern.Length;
                if (token.LStrip)
                    while (start > floor && IsWhitespace(text[start - 1])) start--;
                if (token.RStrip)
                    while (end < text.Length && IsWhitespace(text[end])) end++;
                id = patternId;
                return true;
            }
            from = at + 1;
        }
        start = end = id = 0;
        return false;
    }

    // Whitespace code points are all in the BMP.
    private static bool IsWhitespace(char c) => (BertUnicode.Flags(c) & BertCharFlags.Whitespace) != 0;
}
