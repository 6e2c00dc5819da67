namespace ZhSentiment.Data;

/// <summary>How a <see cref="TableReader"/> reads its source.</summary>
public sealed record TableReadOptions
{
    /// <summary>The format; null: from the file's extension (<see cref="TableReader.Open"/> only).</summary>
    public TableFormat? Format { get; init; }

    /// <summary>
    /// Whether the first CSV/TSV record names the columns. Without a header the columns are named
    /// <c>column1</c>, <c>column2</c>... after the first record's field count.
    /// </summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>Longer physical lines are reported as row errors and skipped. Default: 8 MiB.</summary>
    public int MaxLineBytes { get; init; } = 8 << 20;

    /// <summary>
    /// A quoted CSV field still open after this many characters counts as unterminated: its record is reported as an
    /// error and reading goes on at the line after the one it started on. Default: 4 Mi characters.
    /// </summary>
    public int MaxRecordChars { get; init; } = 4 << 20;
}
