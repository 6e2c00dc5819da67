namespace ZhSentiment.Data;

/// <summary>
/// The one rule for which column of a table holds the text, shared by <c>score</c>, <c>train</c>, <c>eval</c> and
/// the web page: the column the user names; else the first of <see cref="UsualNames"/> present, in any case; else
/// the only column (besides the label column, in labelled files); else none, and the error lists the columns.
/// </summary>
public static class TextColumn
{
    /// <summary>Column names that hold review text, in order of preference.</summary>
    public static IReadOnlyList<string> UsualNames { get; } = ["text", "review", "content", "comment", "sentence", "评论", "内容", "文本", "评价", "句子"];

    /// <summary>The index of the text column, or -1 when the rule finds none (<see cref="Problem"/> says why).</summary>
    /// <param name="named">The column the user named (<c>--text-column</c>), or null to apply the rule.</param>
    /// <param name="besides">A column that holds something else (the label), or -1.</param>
    public static int Find(TableColumns columns, string? named, int besides = -1)
    {
        if (named is not null) return Named(columns, named);
        foreach (var usual in UsualNames)
            if (Named(columns, usual) is >= 0 and var index && index != besides) return index;
        int others = besides >= 0 && besides < columns.Count ? columns.Count - 1 : columns.Count;
        return others == 1 ? (besides == 0 ? 1 : 0) : -1;
    }

    /// <summary>Why <see cref="Find"/> found no column, and what to do.</summary>
    public static string Problem(TableColumns columns, string? named) => named is not null
        ? $"there is no column '{named}'; the columns are: {columns}"
        : $"cannot tell which column holds the text (none is named {string.Join(", ", UsualNames)}); name it with --text-column. The columns are: {columns}";

    /// <summary>The column of that name: exactly, else in any case.</summary>
    public static int Named(TableColumns columns, string name)
    {
        if (columns.IndexOf(name) is >= 0 and var exact) return exact;
        for (int i = 0; i < columns.Count; i++)
            if (string.Equals(columns[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
