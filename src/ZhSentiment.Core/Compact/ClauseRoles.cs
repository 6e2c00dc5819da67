namespace ZhSentiment.Compact;

/// <summary>
/// The part each character plays in its sentence, as far as sentiment composition goes: whether an odd number of
/// negators governs it within its clause (不满意, but 没有不满意 is even), whether it follows the text's last contrast
/// marker (但是/可惜/不过…: the clause that decides), or sits in a conceded clause (虽然/尽管…: the one that does not).
/// The compact model reads each character once more tagged with its role, so that 失望 after 没有 and 好 after 但是 are
/// features of their own, learned from data rather than by rules.
/// </summary>
public static class ClauseRoles
{
    public const byte Plain = 0, Negated = 1, AfterContrast = 2, Conceded = 4;

    /// <summary>Number of distinct role values (<see cref="Negated"/> combines with either of the others).</summary>
    public const int Count = 8;

    // Longest first where one marker starts another (没有 before 没).
    private static readonly string[] Negators = ["没有", "并不", "并没", "毫不", "从不", "从没", "绝不", "决不", "从未", "不", "没", "无", "别", "未", "非"];
    private static readonly string[] Contrasts = ["但是", "可是", "不过", "可惜", "然而", "结果", "只是", "偏偏", "但", "却"];
    private static readonly string[] Concessions = ["虽然", "虽说", "尽管", "即使", "即便", "就算", "哪怕", "固然", "虽"];

    /// <summary>Negation reaches this many characters past its negator, within the clause.</summary>
    public const int NegationReach = 4;

    /// <summary>Writes the role of every code point of <paramref name="text"/> (already folded) into <paramref name="roles"/>.</summary>
    public static void Assign(ReadOnlySpan<int> text, Span<byte> roles)
    {
        roles = roles[..text.Length];
        roles.Clear();
        int decisive = LastMarkerEnd(text, Contrasts);
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && !IsClauseBreak(text[i])) continue;
            if (i > start) AssignClause(text, roles, start, i, decisive);
            start = i + 1;
        }
    }

    private static void AssignClause(ReadOnlySpan<int> text, Span<byte> roles, int start, int end, int decisive)
    {
        bool conceded = Contains(text[start..end], Concessions);
        int negators = 0, reach = 0;
        for (int i = start; i < end;)
        {
            int matched = MatchAt(text, i, end, Negators);
            if (matched > 0)
            {
                // A negator read as a word of its own starts (or flips) a scope; its own characters stay plain.
                negators = reach > 0 ? negators + 1 : 1;
                reach = NegationReach;
                i += matched;
                continue;
            }
            byte role = Plain;
            if (reach > 0)
            {
                if (negators % 2 == 1) role |= Negated;
                if (--reach == 0) negators = 0;
            }
            if (decisive >= 0 && i >= decisive) role |= AfterContrast;
            else if (conceded) role |= Conceded;
            roles[i] = role;
            i++;
        }
    }

    /// <summary>The end of the last contrast marker in the text, or -1.</summary>
    private static int LastMarkerEnd(ReadOnlySpan<int> text, string[] markers)
    {
        int best = -1;
        for (int i = text.Length - 1; i >= 0 && best < 0; i--)
        {
            int m = MatchAt(text, i, text.Length, markers);
            if (m > 0) best = i + m;
        }
        return best;
    }

    private static bool Contains(ReadOnlySpan<int> text, string[] markers)
    {
        for (int i = 0; i < text.Length; i++)
            if (MatchAt(text, i, text.Length, markers) > 0) return true;
        return false;
    }

    /// <summary>The length of the first marker that starts at <paramref name="i"/> and ends by <paramref name="end"/>, or 0.</summary>
    private static int MatchAt(ReadOnlySpan<int> text, int i, int end, string[] markers)
    {
        foreach (var marker in markers)
        {
            if (i + marker.Length > end) continue;
            int k = 0;
            while (k < marker.Length && text[i + k] == marker[k]) k++;
            if (k == marker.Length) return k;
        }
        return 0;
    }

    private static bool IsClauseBreak(int c) => c switch
    {
        ' ' or '\n' or ',' or '.' or '!' or '?' or ';' or ':' or '~' or '，' or '。' or '！' or '？' or '；' or '：' or '…' or '～' or '、' => true,
        _ => false,
    };
}
