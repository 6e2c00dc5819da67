namespace ZhSentiment.Data;

/// <summary>
/// One record of a table: its values by column index or name, the 1-based source line where it starts, and, for a
/// record that could not be parsed, <see cref="Error"/> (then it has no values).
/// </summary>
public sealed class TableRow
{
    private readonly string?[] _texts;
    private readonly TableValueKind[]? _kinds;

    internal TableRow(TableColumns columns, long line, string?[] texts, TableValueKind[]? kinds, string? error, long endOffset, bool terminated)
    {
        Columns = columns;
        Line = line;
        _texts = texts;
        _kinds = kinds;
        Error = error;
        EndOffset = endOffset;
        Terminated = terminated;
    }

    /// <summary>The columns as known when this row was read (JSON Lines adds keys as they first appear).</summary>
    public TableColumns Columns { get; }

    /// <summary>The 1-based line of the source where this record starts.</summary>
    public long Line { get; }

    /// <summary>Why the record could not be parsed (wrong field count, bad JSON, unterminated quote...), or null.</summary>
    public string? Error { get; }

    /// <summary>Values present in this row; indexes past it read as missing.</summary>
    public int Count => _texts.Length;

    /// <summary>Byte offset in the source just past this record (past its newline, if any).</summary>
    public long EndOffset { get; }

    /// <summary>False when the record's last line ended at the end of the source without a newline.</summary>
    public bool Terminated { get; }

    /// <summary>The text of the value in column <paramref name="index"/>; null when missing or JSON null.</summary>
    public string? this[int index] => (uint)index < (uint)_texts.Length ? _texts[index] : null;

    /// <summary>The text of the value in the column named <paramref name="column"/>; null when there is no such column or value.</summary>
    public string? this[string column] => this[Columns.IndexOf(column)];

    public TableValue GetValue(int index)
    {
        if ((uint)index >= (uint)_texts.Length) return default;
        return new TableValue(_texts[index], _kinds?[index] ?? TableValueKind.String);
    }
}
