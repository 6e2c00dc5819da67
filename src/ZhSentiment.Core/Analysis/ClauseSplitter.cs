namespace ZhSentiment.Analysis;

/// <summary>A clause of a text: <c>[Start, End)</c> in UTF-16 code units, delimiters and surrounding white space excluded.</summary>
/// <param name="Sentence">Index of the sentence (split at 。！？!?. and line breaks) the clause belongs to.</param>
/// <param name="Contrast">The clause opens with a contrast marker (但是, 可惜, …) or turns with 却: what follows the turn.</param>
public readonly record struct Clause(int Start, int End, int Sentence, bool Contrast)
{
    public int Length => End - Start;
}

/// <summary>
/// Splits a text into sentences and clauses: at Chinese and Latin punctuation, line breaks, white space between
/// Chinese characters, and before contrast markers (但是/可是/不过/可惜/然而/…), which start a new clause.
/// </summary>
public static class ClauseSplitter
{
    // Markers that start a clause wherever they stand, and markers that count only at the start of a clause, where
    // they are unambiguous (不过 inside a clause is 再好不过/不过如此, 可是 is also 这可是, 就是 is also 就是它).
    private static readonly string[] SplittingMarkers = ["但是", "然而", "可惜", "但"];
    private static readonly string[] OpeningMarkers = ["但是", "可是", "不过", "可惜", "然而", "只是", "只不过", "就是", "无奈", "但", "可"];

    /// <summary>Clauses in text order; none for a text without any letter, digit or symbol.</summary>
    public static List<Clause> Split(string text)
    {
        var clauses = new List<Clause>();
        int sentence = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (IsSentenceEnd(text, i))
            {
                Add(text, start, i, sentence, clauses);
                // A run of ending marks (。。。, ?!, \r\n) ends one sentence.
                while (i + 1 < text.Length && IsSentenceEnd(text, i + 1)) i++;
                start = i + 1;
                sentence++;
            }
            else if (IsClauseEnd(text, i))
            {
                Add(text, start, i, sentence, clauses);
                start = i + 1;
            }
            else if (i > start && SplitsAt(text, i) && HasContent(text, start, i))
            {
                Add(text, start, i, sentence, clauses);
                start = i;
            }
        }
        Add(text, start, text.Length, sentence, clauses);
        return clauses;
    }

    /// <summary>Whether the span opens with a contrast marker, after white space and opening quotes.</summary>
    public static bool OpensWithContrast(string text, int start, int end) => ContrastMarkerLength(text, start, end) > 0;

    /// <summary>
    /// Where the clause's own words start: after its contrast marker and the punctuation after it, which say how the
    /// clause relates to the one before, not what it says (n-gram models read 可惜油耗太高了 as positive, 油耗太高了 as
    /// negative); the clause's start when nothing else is left.
    /// </summary>
    public static int BodyStart(string text, Clause clause)
    {
        int start = clause.Start + ContrastMarkerLength(text, clause.Start, clause.End);
        while (start < clause.End && (char.IsWhiteSpace(text[start]) || char.IsPunctuation(text[start]))) start++;
        return start < clause.End ? start : clause.Start;
    }

    /// <summary>How many code units of the span, from its start, are a contrast marker and what precedes it; 0 without one.</summary>
    public static int ContrastMarkerLength(string text, int start, int end)
    {
        int at = start;
        while (at < end && (char.IsWhiteSpace(text[at]) || text[at] is '“' or '"' or '「' or '（' or '('))
            at++;
        foreach (var marker in OpeningMarkers)
            if (Matches(text, at, end, marker) && !IsFalseBut(text, at, marker))
                return at + marker.Length - start;
        return 0;
    }

    private static void Add(string text, int start, int end, int sentence, List<Clause> clauses)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (!HasContent(text, start, end)) return;
        bool contrast = OpensWithContrast(text, start, end) || text.AsSpan(start, end - start).Contains('却');
        clauses.Add(new Clause(start, end, sentence, contrast));
    }

    /// <summary>Letters, digits and symbols (emoji among them) count; punctuation and white space alone do not.</summary>
    private static bool HasContent(string text, int start, int end)
    {
        for (int i = start; i < end; i++)
            if (!char.IsWhiteSpace(text[i]) && !char.IsPunctuation(text[i])) return true;
        return false;
    }

    private static bool IsSentenceEnd(string text, int i) => text[i] switch
    {
        '。' or '！' or '？' or '!' or '?' or '\n' or '\r' or '\u2028' or '\u2029' => true,
        // 3.5寸 and v1.2 keep their point; an ellipsis of Latin points ends the sentence.
        '.' => !(Between(text, i, char.IsAsciiDigit) || Between(text, i, char.IsAsciiLetter)),
        _ => false,
    };

    private static bool IsClauseEnd(string text, int i) => text[i] switch
    {
        '，' or '；' or ';' or '、' or '：' or '…' or '~' or '～' or '—' or '|' or '｜' => true,
        ',' or ':' => !Between(text, i, char.IsAsciiDigit), // 1,000 and 12:30
        // 质量很好 物流很快: a space between Chinese characters separates clauses; between Latin words it does not.
        _ when char.IsWhiteSpace(text[i]) => IsHan(Previous(text, i)) || IsHan(Next(text, i)),
        _ => false,
    };

    private static bool SplitsAt(string text, int i)
    {
        foreach (var marker in SplittingMarkers)
            if (Matches(text, i, text.Length, marker) && !IsFalseBut(text, i, marker))
                return true;
        return false;
    }

    /// <summary>但 inside 不但/非但 and in 但愿/但凡/但求 is no contrast; neither is 可 in 可以/可能/可爱/….</summary>
    private static bool IsFalseBut(string text, int at, string marker)
    {
        if (marker == "但")
            return (at > 0 && text[at - 1] is '不' or '非') || (at + 1 < text.Length && text[at + 1] is '愿' or '凡' or '求' or '是');
        if (marker == "可")
            return at + 1 >= text.Length || text[at + 1] is not ('就' or '惜' or '这' or '那' or '它' or '他' or '她' or '我' or '你');
        return false;
    }

    private static bool Matches(string text, int at, int end, string marker) =>
        at + marker.Length <= end && text.AsSpan(at, marker.Length).SequenceEqual(marker);

    private static bool Between(string text, int i, Func<char, bool> kind) =>
        i > 0 && i + 1 < text.Length && kind(text[i - 1]) && kind(text[i + 1]);

    private static char Previous(string text, int i)
    {
        while (i > 0 && char.IsWhiteSpace(text[i - 1])) i--;
        return i > 0 ? text[i - 1] : ' ';
    }

    private static char Next(string text, int i)
    {
        while (i + 1 < text.Length && char.IsWhiteSpace(text[i + 1])) i++;
        return i + 1 < text.Length ? text[i + 1] : ' ';
    }

    private static bool IsHan(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF';
}
