using ZhSentiment.Data;

namespace ZhSentiment.Training;

/// <summary>A row that could not be used, with its 1-based line and why.</summary>
public sealed record BadRow(long Line, string Problem);

/// <summary>
/// Labelled texts read from a CSV, TSV or JSON Lines file: a label column (<c>label</c> unless named otherwise; 0/1,
/// 负面/正面, negative/positive), a text column (found as <see cref="TextColumn"/> finds it), an optional <c>source</c> column. Rows that cannot be used are counted and
/// kept with their line numbers, never dropped silently.
/// </summary>
public sealed class LabelledDataset
{
    /// <summary>Bad rows kept in <see cref="BadRows"/>; all are counted in <see cref="BadRowCount"/>.</summary>
    public const int MaxBadRowsKept = 1000;

    public const string DefaultLabelColumn = "label";

    /// <summary>The labels every dataset is read into, in logit order.</summary>
    public static IReadOnlyList<string> Labels { get; } = ["负面", "正面"];

    private LabelledDataset(List<LabelledExample> examples, List<BadRow> badRows, long badRowCount, bool hasSource)
    {
        Examples = examples;
        BadRows = badRows;
        BadRowCount = badRowCount;
        HasSource = hasSource;
    }

    public IReadOnlyList<LabelledExample> Examples { get; }

    /// <summary>The first <see cref="MaxBadRowsKept"/> bad rows.</summary>
    public IReadOnlyList<BadRow> BadRows { get; }

    public long BadRowCount { get; }

    /// <summary>Whether the file has a <c>source</c> column.</summary>
    public bool HasSource { get; }

    /// <param name="textColumn">The text column's name; null: as <see cref="TextColumn"/> finds it.</param>
    /// <param name="labelColumn">The label column's name; null: <see cref="DefaultLabelColumn"/>.</param>
    /// <exception cref="InvalidDataException">The file lacks a label or text column, or cannot be read as a table.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static LabelledDataset Read(string path, Action<long>? bytesRead = null, string? textColumn = null, string? labelColumn = null)
    {
        labelColumn ??= DefaultLabelColumn;
        using var reader = TableReader.Open(path);
        var examples = new List<LabelledExample>();
        var bad = new List<BadRow>();
        long badCount = 0;
        bool hasSource = false;
        TableColumns? seen = null;
        int labelIndex = -1, textIndex = -1;
        void Bad(long line, string problem)
        {
            badCount++;
            if (bad.Count < MaxBadRowsKept) bad.Add(new BadRow(line, problem));
        }

        while (reader.Read() is { } row)
        {
            if (row.Error is { } error)
            {
                Bad(row.Line, error);
                continue;
            }
            var columns = row.Columns;
            if (!ReferenceEquals(columns, seen))
            {
                seen = columns;
                labelIndex = TextColumn.Named(columns, labelColumn);
                textIndex = TextColumn.Find(columns, textColumn, besides: labelIndex);
            }
            if (labelIndex < 0 || textIndex < 0)
            {
                string problem = labelIndex < 0
                    ? $"there is no label column '{labelColumn}' (name it with --label-column); the columns are: {columns}"
                    : TextColumn.Problem(columns, textColumn);
                // A JSON Lines row has its own keys: one without them is a bad row, not a bad file.
                if (reader.Format != TableFormat.Jsonl) throw new InvalidDataException($"{path}: {problem}");
                Bad(row.Line, problem);
                continue;
            }
            int sourceColumn = columns.IndexOf("source");
            hasSource |= sourceColumn >= 0;

            string? labelText = row[labelIndex];
            string? text = row[textIndex];
            if (string.IsNullOrWhiteSpace(labelText)) Bad(row.Line, "missing label");
            else if (ParseLabel(labelText) is not { } label) Bad(row.Line, $"unknown label '{labelText}' (expected 0/1, 负面/正面, negative/positive)");
            else if (string.IsNullOrWhiteSpace(text)) Bad(row.Line, "empty text");
            else examples.Add(new LabelledExample(text, label, sourceColumn >= 0 ? row[sourceColumn] : null, row.Line));
            if ((examples.Count & 4095) == 0) bytesRead?.Invoke(reader.BytesRead);
        }
        bytesRead?.Invoke(reader.BytesRead);
        return new LabelledDataset(examples, bad, badCount, hasSource);
    }

    /// <summary>0 for negative, 1 for positive, null for anything else.</summary>
    public static int? ParseLabel(string value) => value.Trim().ToLowerInvariant() switch
    {
        "0" or "负面" or "negative" => 0,
        "1" or "正面" or "positive" => 1,
        _ => null,
    };
}
