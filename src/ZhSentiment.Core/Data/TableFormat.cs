namespace ZhSentiment.Data;

/// <summary>The tabular file formats read and written by <see cref="TableReader"/> and <see cref="TableWriter"/>.</summary>
public enum TableFormat
{
    /// <summary>RFC 4180 comma-separated values: a header row, quoted fields may hold commas, quotes and newlines.</summary>
    Csv,

    /// <summary>Tab-separated values: a header row, fields taken literally (no quoting), so no field holds a tab or newline.</summary>
    Tsv,

    /// <summary>JSON Lines: one JSON object per line; its keys are the columns.</summary>
    Jsonl,
}

/// <summary>Names and file extensions of <see cref="TableFormat"/>.</summary>
public static class TableFormats
{
    /// <summary>The format named <paramref name="name"/> (csv, tsv, jsonl; case-insensitive), or null.</summary>
    public static TableFormat? Parse(string name) => name.ToUpperInvariant() switch
    {
        "CSV" => TableFormat.Csv,
        "TSV" or "TAB" => TableFormat.Tsv,
        "JSONL" or "NDJSON" => TableFormat.Jsonl,
        _ => null,
    };

    /// <summary>The format a file's extension names (.csv, .tsv/.tab, .jsonl/.ndjson), or null.</summary>
    public static TableFormat? FromPath(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Length > 1 ? Parse(extension[1..]) : null;
    }
}
