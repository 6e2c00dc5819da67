using ZhSentiment.Data;
using ZhSentiment.Inference;

namespace ZhSentiment.Training;

/// <summary>A row that could not be used, with its 1-based line and why.</summary>
public sealed record BadRow(long Line, string Problem);

/// <summary>
/// Labelled texts read from a CSV, TSV or JSON Lines file: a label column (<c>label</c> unless named otherwise), a
/// text column (found as <see cref="TextColumn"/> finds it), an optional <c>source</c> column. Rows that cannot be used are counted and kept with their line numbers,
/// never dropped silently. Labels are two-class (0/1, 负面/正面, negative/positive) unless any row of the file is
/// neutral (2 among numbers, or 中性/neutral), in which case the file is three-class: 0/1/2 or
/// 负面/中性/正面 or negative/neutral/positive. A file with any label that names an emotion and no sentiment
/// (anger/愤怒, happiness/高兴, surprise/惊讶…: any spelling <see cref="LabelMeaning.Emotion"/> reads) is an emotion
/// file: its labels are the emotions it holds, canonical names in <see cref="LabelMeaning.Emotions"/> order (neutral
/// and 中性 there mean no emotion), and a row whose label names no emotion is a bad row.
/// </summary>
public sealed class LabelledDataset
{
    /// <summary>Bad rows kept in <see cref="BadRows"/>; all are counted in <see cref="BadRowCount"/>.</summary>
    public const int MaxBadRowsKept = 1000;

    /// <summary>The labels of a two-class file, in index order.</summary>
    public static IReadOnlyList<string> BinaryLabels { get; } = ["负面", "正面"];

    public const string DefaultLabelColumn = "label";

    /// <summary>The labels of a three-class file, in index order.</summary>
    public static IReadOnlyList<string> ThreeClassLabels { get; } = ["负面", "中性", "正面"];

    private LabelledDataset(List<LabelledExample> examples, List<BadRow> badRows, long badRowCount, bool hasSource, IReadOnlyList<string> labels, bool emotions)
    {
        Examples = examples;
        Labels = labels;
        IsEmotion = emotions;
        BadRows = badRows;
        BadRowCount = badRowCount;
        HasSource = hasSource;
    }

    public IReadOnlyList<LabelledExample> Examples { get; }

    /// <summary>
    /// What the examples' label indexes mean: <see cref="BinaryLabels"/> or <see cref="ThreeClassLabels"/>, or in an
    /// emotion file the canonical names of the emotions it holds.
    /// </summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Whether the labels are emotions (<see cref="LabelMeaning.Emotions"/>) rather than sentiments.</summary>
    public bool IsEmotion { get; }

    public bool IsThreeClass => !IsEmotion && Labels.Count == 3;

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
        var rows = new List<(string Text, string Label, string? Source, long Line)>();
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
            else if (ParseLabel(labelText, threeClass: true) is null && LabelMeaning.Emotion(labelText) is null)
                Bad(row.Line, $"unknown label '{labelText}' (expected 0/1, 负面/正面, negative/positive; three classes: 0/1/2, 负面/中性/正面, negative/neutral/positive; emotions: {string.Join("/", LabelMeaning.Emotions)} or 愤怒/厌恶/恐惧/高兴/喜好/悲伤/惊讶/无情绪)");
            else if (string.IsNullOrWhiteSpace(text)) Bad(row.Line, "empty text");
            else rows.Add((text, labelText, sourceColumn >= 0 ? row[sourceColumn] : null, row.Line));
            if ((rows.Count & 4095) == 0) bytesRead?.Invoke(reader.BytesRead);
        }
        bytesRead?.Invoke(reader.BytesRead);

        if (rows.Exists(r => IsEmotionOnly(r.Label)))
        {
            var kept = new List<(string Text, string Emotion, string? Source, long Line)>(rows.Count);
            foreach (var r in rows)
            {
                if (LabelMeaning.Emotion(r.Label) is { } emotion) kept.Add((r.Text, emotion, r.Source, r.Line));
                else Bad(r.Line, $"label '{r.Label}' names no emotion, in a file of emotion labels");
            }
            bad.Sort((a, b) => a.Line.CompareTo(b.Line));
            var emotions = LabelMeaning.Emotions.Where(e => kept.Exists(r => r.Emotion == e)).ToArray();
            var emotionExamples = kept.ConvertAll(r => new LabelledExample(r.Text, Array.IndexOf(emotions, r.Emotion), r.Source, r.Line));
            return new LabelledDataset(emotionExamples, bad, badCount, hasSource, emotions, emotions: true);
        }
        bool threeClass = rows.Exists(r => MarksThreeClasses(r.Label));
        var examples = rows.ConvertAll(r => new LabelledExample(r.Text, ParseLabel(r.Label, threeClass)!.Value, r.Source, r.Line));
        return new LabelledDataset(examples, bad, badCount, hasSource, threeClass ? ThreeClassLabels : BinaryLabels, emotions: false);
    }

    /// <summary>A label that names an emotion and no sentiment: it makes the file an emotion file.</summary>
    private static bool IsEmotionOnly(string label) => LabelMeaning.Emotion(label) is not null && ParseLabel(label, threeClass: true) is null;

    /// <summary>
    /// The label's index among <see cref="BinaryLabels"/> or, with <paramref name="threeClass"/>,
    /// <see cref="ThreeClassLabels"/>; null for anything else.
    /// </summary>
    public static int? ParseLabel(string value, bool threeClass = false) => (value.Trim().ToLowerInvariant(), threeClass) switch
    {
        ("0" or "负面" or "negative" or "neg", _) => 0,
        ("1", false) or ("正面" or "positive" or "pos", false) => 1,
        ("1" or "中性" or "neutral" or "neu", true) => 1,
        ("2" or "正面" or "positive" or "pos", true) => 2,
        _ => null,
    };

    /// <summary>A label only a three-class file has: the number 2 or a neutral word.</summary>
    private static bool MarksThreeClasses(string label) => label.Trim().ToLowerInvariant() is "2" or "中性" or "neutral" or "neu";

    /// <summary>This dataset's examples with labels in a three-class model's order (a two-class positive becomes 2).</summary>
    public IEnumerable<LabelledExample> AsThreeClass() =>
        IsEmotion ? throw new InvalidOperationException("An emotion file has no sentiment labels.")
        : IsThreeClass ? Examples : Examples.Select(e => e.Label == 1 ? e with { Label = 2 } : e);

    /// <summary>This emotion file's examples with labels indexing <paramref name="emotions"/> (canonical names that include this file's).</summary>
    public IEnumerable<LabelledExample> AsEmotions(IReadOnlyList<string> emotions)
    {
        if (!IsEmotion) throw new InvalidOperationException("A sentiment file has no emotion labels.");
        var index = Labels.Select(l => emotions.ToList().IndexOf(l)).ToArray();
        if (index.Contains(-1)) throw new ArgumentException($"The emotions {string.Join(", ", emotions)} lack some of the file's ({string.Join(", ", Labels)}).", nameof(emotions));
        return Examples.Select(e => e with { Label = index[e.Label] });
    }
}
