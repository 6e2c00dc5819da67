using System.Diagnostics;
using ZhSentiment.Analysis;
using ZhSentiment.Data;
using ZhSentiment.Inference;

namespace ZhSentiment.Scoring;

/// <summary>
/// Scores a table file row by row through a <see cref="SentimentEngine"/>: streams the input, keeps its columns and
/// row order, adds <c>label</c>, <c>score</c> (the three-way answer, <see cref="LabelSet.ThreeWay"/>), one
/// <c>prob_*</c> column per sentiment class named by the model's own label, one <c>aspect_*</c> column per requested
/// aspect and <c>mixed</c> (<see cref="TextAnalyzer"/>, without evidence), with emotions <c>emotion</c>, <c>emotion_score</c> and one
/// <c>emo_*</c> column per emotion class, and <c>error</c>. Batches of rows
/// are encoded on pool threads and in flight together, so the engine's batcher keeps the model busy. Output goes to
/// <see cref="ScoreOptions.PartialPath"/> and is renamed into place only once complete. A shard
/// (<see cref="ScoreOptions.Shard"/>) reads every record but scores and writes only its own.
/// </summary>
internal sealed class FileScorer
{
    private readonly SentimentEngine _engine;
    private readonly ScoreOptions _options;
    private readonly Action<ScoreProgress>? _progress;
    private readonly ScoreSummary _summary = new();
    private readonly Queue<TableRow> _peeked = new();
    private TableReader _reader = null!;
    private TableColumns _columns = TableColumns.Empty;
    private TableFormat _outputFormat;
    private LabelHead _sentiment = null!;
    private LabelHead? _emotions;
    private int _textColumn;
    private long _ordinal;

    private FileScorer(SentimentEngine engine, ScoreOptions options, Action<ScoreProgress>? progress)
    {
        _engine = engine;
        _options = options;
        _progress = progress;
    }

    /// <summary>Scores <see cref="ScoreOptions.Input"/> into <see cref="ScoreOptions.Output"/>.</summary>
    /// <exception cref="ScoreException">The input or the options are unusable.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the partial output holds the rows written so far.</exception>
    public static Task<ScoreSummary> RunAsync(SentimentEngine engine, ScoreOptions options, Action<ScoreProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new FileScorer(engine, options, progress).RunAsync(cancellationToken);

    private async Task<ScoreSummary> RunAsync(CancellationToken cancellationToken)
    {
        if (_options.Problem() is { } problem) throw new ScoreException(problem);
        if (_options.Emotion && _engine.Labels.EmotionHead is null) throw new ScoreException(_engine.Labels.NoEmotions(_engine.Info.Name));
        var clock = Stopwatch.StartNew();
        using (_reader = OpenInput())
        {
            _columns = PeekColumns();
            _textColumn = ChooseTextColumn();
            _outputFormat = _options.Output == "-" ? _reader.Format : TableFormats.FromPath(_options.WritePath) ?? _reader.Format;
            string[] added = AddedColumns();
            string[] outputColumns = [.. _columns, .. added];
            using (var writer = OpenOutput(outputColumns))
            {
                await ScoreRowsAsync(writer, added, cancellationToken);
                _summary.FlattenedValues = writer.FlattenedValues;
            }
            _summary.Encoding = _reader.Encoding;
            _summary.Gb18030Lines = _reader.Gb18030Lines;
        }
        if (_options.Output != "-") File.Move(_options.PartialPath, _options.WritePath, overwrite: true);
        _summary.Elapsed = clock.Elapsed;
        return _summary;
    }

    private TableReader OpenInput()
    {
        try
        {
            return TableReader.Open(_options.Input, new TableReadOptions { Format = _options.Format });
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ScoreException($"cannot read '{_options.Input}': {e.Message}");
        }
    }

    /// <summary>The input's columns; for JSON Lines, the keys of the first parsable row (rows before it are kept for scoring).</summary>
    private TableColumns PeekColumns()
    {
        if (_reader.Format != TableFormat.Jsonl) return _reader.Columns;
        while (_reader.Read() is { } row)
        {
            _peeked.Enqueue(row);
            if (row.Error is null) break;
        }
        return _reader.Columns;
    }

    /// <summary>The next record of the input, or of this shard's part of it.</summary>
    private TableRow? NextRow()
    {
        while ((_peeked.TryDequeue(out var peeked) ? peeked : _reader.Read()) is { } row)
            if (_options.Shard is not { } shard || shard.Takes(_ordinal++)) return row;
        return null;
    }

    private int ChooseTextColumn()
    {
        if (_columns.Count == 0) throw new ScoreException($"'{_options.Input}' has no columns (is it empty?)");
        int index = TextColumn.Find(_columns, _options.TextColumn);
        return index >= 0 ? index : throw new ScoreException($"'{_options.Input}': {TextColumn.Problem(_columns, _options.TextColumn)}");
    }

    /// <summary>
    /// label, score, prob_LABEL per sentiment class (the model's own labels, made column-safe and distinct), aspect_NAME
    /// per aspect and mixed, with emotions emotion, emotion_score and emo_NAME per emotion class, then error; a name the input
    /// already has gets a _pred suffix.
    /// </summary>
    private string[] AddedColumns()
    {
        var labels = _engine.Labels;
        _sentiment = labels.SentimentHead;
        _emotions = _options.Emotion ? labels.EmotionHead : null;
        var probabilities = ColumnNames("prob_", labels.ModelLabels.Skip(_sentiment.Offset).Take(_sentiment.Count));
        string[] emotions = _emotions is { } head ? ["emotion", "emotion_score", .. ColumnNames("emo_", labels.Names.Skip(head.Offset).Take(head.Count))] : [];
        string[] aspects = _options.Aspects.Count == 0 ? [] : [.. _options.Aspects.Select(a => "aspect_" + a.Name), "mixed"];
        string[] names = ["label", "score", .. probabilities, .. aspects, .. emotions, "error"];
        for (int i = 0; i < names.Length; i++)
            while (_columns.IndexOf(names[i]) >= 0 || Array.IndexOf(names, names[i]) < i) names[i] += "_pred";
        return names;
    }

    /// <summary>
    /// <paramref name="prefix"/> + each label with white space and punctuation as <c>_</c> (<c>star 1</c> → <c>prob_star_1</c>,
    /// 负面 → <c>prob_负面</c>); a name already taken gets <c>_2</c>, <c>_3</c>….
    /// </summary>
    internal static string[] ColumnNames(string prefix, IEnumerable<string> labels)
    {
        var names = new List<string>();
        foreach (var label in labels)
        {
            var safe = new System.Text.StringBuilder(prefix);
            foreach (char c in label.Trim())
            {
                if (char.IsLetterOrDigit(c)) safe.Append(c);
                else if (safe[^1] != '_') safe.Append('_'); // a run of white space and punctuation is one _
            }
            string name = safe.ToString().TrimEnd('_'), unique = name;
            for (int n = 2; names.Contains(unique); n++) unique = $"{name}_{n}";
            names.Add(unique);
        }
        return [.. names];
    }

    private TableWriter OpenOutput(string[] columns)
    {
        if (_options.Output == "-") return TableWriter.Create("-", _outputFormat, columns);
        try
        {
            if (_options.Resume && ResumeFrom(columns) is { } stream) return new TableWriter(stream, _outputFormat, columns, append: true);
            return TableWriter.Create(_options.PartialPath, _outputFormat, columns);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScoreException($"cannot write '{_options.PartialPath}': {e.Message}");
        }
    }

    /// <summary>
    /// Checks the partial output's complete rows against the input, counts them as done, and returns the partial file
    /// cut after the last of them, open for appending; null when there is nothing to resume.
    /// </summary>
    private FileStream? ResumeFrom(string[] columns)
    {
        var path = _options.PartialPath;
        if (!File.Exists(path)) return null;
        long keep;
        int errorColumn = columns.Length - 1;
        using (var done = new TableReader(File.OpenRead(path), _outputFormat))
        {
            if (_outputFormat != TableFormat.Jsonl)
            {
                // A header cut short by the interruption: nothing was done yet.
                if (done.Columns.Count == 0 || (done.BytesRead == new FileInfo(path).Length && !EndsWithNewline(path))) return null;
                if (!done.Columns.SequenceEqual(columns))
                    throw new ScoreException($"'{path}' has other columns than this run would write ({done.Columns}); delete it or run without --resume");
            }
            keep = done.BytesRead;
            while (done.Read() is { } written && written.Terminated && written.Error is null)
            {
                var row = NextRow();
                if (row is null || !Matches(row, written, columns))
                    throw new ScoreException($"'{path}' line {written.Line} does not match input line {row?.Line.ToString() ?? "(end)"}: it is not a partial output of this input; delete it or run without --resume");
                keep = written.EndOffset;
                _summary.Rows++;
                if (!string.IsNullOrEmpty(_outputFormat == TableFormat.Jsonl ? written[columns[errorColumn]] : written[errorColumn])) _summary.AddError(row.Line);
            }
        }
        _summary.ResumedRows = _summary.Rows;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, 1);
        stream.SetLength(keep);
        stream.Position = keep;
        return stream;
    }

    private static bool EndsWithNewline(string path)
    {
        using var file = File.OpenRead(path);
        if (file.Length == 0) return false;
        file.Position = file.Length - 1;
        return file.ReadByte() == '\n';
    }

    /// <summary>Whether an output row holds the input row's values (or its error).</summary>
    private bool Matches(TableRow input, TableRow written, string[] columns)
    {
        bool json = _outputFormat == TableFormat.Jsonl;
        if (input.Error is not null) return !string.IsNullOrEmpty(json ? written[columns[^1]] : written[columns.Length - 1]);
        int count = json ? input.Count : _columns.Count;
        for (int i = 0; i < count; i++)
        {
            var expected = input[i] ?? "";
            if (_outputFormat == TableFormat.Tsv) expected = expected.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
            var actual = (json ? written[input.Columns[i]] : written[i]) ?? "";
            if (expected != actual) return false;
        }
        return true;
    }

    private async Task ScoreRowsAsync(TableWriter writer, string[] added, CancellationToken cancellationToken)
    {
        // Enough requests to keep every core encoding or in the model, within the engine's queue for short texts.
        int maxInFlight = Math.Clamp(_engine.Options.QueueCapacity / _options.BatchSize, 1, 2 * Environment.ProcessorCount + 2);
        var inFlight = new Queue<Task<ScoredBatch>>();
        long? total = _options.Input == "-" ? null : new FileInfo(_options.Input).Length;
        long resumedBytes = _reader.BytesRead;
        try
        {
            while (true)
            {
                var batch = ReadBatch();
                if (batch.Count > 0) inFlight.Enqueue(Task.Run(() => ScoreAsync(batch, cancellationToken), cancellationToken));
                if (inFlight.Count == 0) break;
                if (inFlight.Count >= maxInFlight || batch.Count == 0)
                {
                    Write(writer, added, await inFlight.Dequeue());
                    _progress?.Invoke(new ScoreProgress(_summary.Rows, _summary.ResumedRows, _reader.BytesRead, resumedBytes, total));
                }
            }
        }
        finally
        {
            writer.Flush();
        }
    }

    private List<TableRow> ReadBatch()
    {
        var batch = new List<TableRow>(_options.BatchSize);
        while (batch.Count < _options.BatchSize && NextRow() is { } row) batch.Add(row);
        return batch;
    }

    private async Task<ScoredBatch> ScoreAsync(List<TableRow> rows, CancellationToken cancellationToken)
    {
        var texts = new List<string>(rows.Count);
        var resultOf = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var text = row.Error is null ? row[_textColumn] : null;
            resultOf[i] = row.Error is null && !string.IsNullOrWhiteSpace(text) ? texts.Count : -1;
            if (resultOf[i] >= 0) texts.Add(text!);
        }
        if (_options.Aspects.Count == 0) return new ScoredBatch(rows, resultOf, await _engine.PredictAsync(texts, cancellationToken), []);
        var analyses = await TextAnalyzer.AnalyzeAsync(_engine, texts, _options.Aspects, evidence: false, cancellationToken);
        return new ScoredBatch(rows, resultOf, [.. analyses.Select(a => a.Whole)], analyses);
    }

    private void Write(TableWriter writer, string[] added, ScoredBatch batch)
    {
        bool json = _outputFormat == TableFormat.Jsonl;
        for (int r = 0; r < batch.Rows.Count; r++)
        {
            var row = batch.Rows[r];
            if (json)
                for (int i = 0; i < row.Count; i++) writer.Write(row.GetValue(i), row.Columns[i]);
            else
            {
                for (int i = 0; i < _columns.Count; i++) writer.Write(row.GetValue(i));
                if (row.Count > _columns.Count) _summary.RowsWithDroppedKeys++;
            }
            int result = batch.ResultOf[r];
            if (result >= 0)
            {
                var scored = batch.Results[result];
                int column = 0;
                writer.Write(TableValue.String(scored.Label), added[column++]);
                writer.Write(scored.Score, added[column++]);
                for (int c = _sentiment.Offset; c < _sentiment.End; c++) writer.Write(scored.Probabilities[c], added[column++]);
                for (int a = 0; a < _options.Aspects.Count; a++)
                    writer.Write(batch.Analyses[result].Aspects[a].Verdict is { } verdict ? TableValue.String(verdict.Label) : default, added[column++]);
                if (_options.Aspects.Count > 0) writer.Write(TableValue.String(batch.Analyses[result].Mixed ? "true" : "false"), added[column++]);
                if (_emotions is { } emotions)
                {
                    writer.Write(TableValue.String(scored.Emotion!), added[column++]);
                    writer.Write(scored.EmotionScore, added[column++]);
                    for (int c = emotions.Offset; c < emotions.End; c++) writer.Write(scored.Probabilities[c], added[column++]);
                }
                writer.Write(default(TableValue), added[^1]);
            }
            else
            {
                for (int c = 0; c < added.Length - 1; c++) writer.Write(default(TableValue), added[c]);
                writer.Write(TableValue.String($"line {row.Line}: {row.Error ?? "empty text"}"), added[^1]);
                _summary.AddError(row.Line);
            }
            writer.EndRow();
            _summary.Rows++;
        }
    }

    /// <param name="Analyses">Per result, with aspects asked for; empty otherwise.</param>
    private sealed record ScoredBatch(List<TableRow> Rows, int[] ResultOf, SentimentResult[] Results, TextAnalysis[] Analyses);
}
