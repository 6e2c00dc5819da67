using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using ZhSentiment.Analysis;
using ZhSentiment.Data;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Scoring;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti score</c>: scores every row of a CSV, TSV or JSON Lines file into a copy with <c>label</c>, <c>score</c>,
/// <c>prob_*</c> and <c>error</c> columns. Exit status 0 when the output is complete (rows that could not be scored
/// included), 1 on unusable arguments, input or model, 130 when interrupted. <c>--shard</c> scores one part of the
/// input; <c>--merge</c> puts the parts back together.
/// </summary>
internal sealed class ScoreCommand : Command
{
    private static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(5);

    private readonly Option<string> _input = new("--input", "-i") { Description = "The file to score (csv, tsv, jsonl), or - for standard input. Required unless --merge.", HelpName = "FILE" };
    private readonly Option<string> _output = new("--output", "-o") { Description = "Where to write; its extension picks the format (default: the input's). - for standard output.", Required = true, HelpName = "FILE" };
    private readonly ModelOptions _model;
    private readonly Option<string> _textColumn = ColumnOptions.Text();
    private readonly Option<string> _format = new("--format") { Description = "The input's format when its extension does not tell (standard input).", HelpName = "csv|tsv|jsonl" };
    private readonly Option<int?> _batchSize = CliValues.Whole("--batch-size", "N", $"Rows per engine request. Default: {ScoreOptions.DefaultBatchSize}.", min: 1);
    private readonly Option<string> _aspects = new("--aspects") { Description = "Add an aspect_NAME column per aspect of a preset (电商, ecommerce, …) or a lexicon file: Positive/Negative/Neutral, empty when not mentioned.", HelpName = "PRESET|FILE" };
    private readonly Option<bool> _emotion = new("--emotion") { Description = "Add emotion, emotion_score and one emo_NAME column per emotion class (models with emotion labels), after the sentiment columns." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue an interrupted run from its partial output (OUTPUT.partial)." };
    private readonly Option<string> _shard = new("--shard") { Description = $"Score only the rows whose ordinal modulo COUNT is INDEX, into OUTPUT's part file NAME.part-INDEX-of-COUNT.EXT; auto: INDEX from ${ScoreShard.IndexVariable} (a Kubernetes Indexed Job), COUNT from ${ScoreShard.CountVariable}.", HelpName = "INDEX/COUNT|auto" };
    private readonly Option<string[]> _merge = new("--merge") { Description = "Merge the part files of a sharded run, all of them, into OUTPUT as one run would have written it.", HelpName = "PARTS", AllowMultipleArgumentsPerToken = true };

    public ScoreCommand() : base("score", "Score every row of a CSV, TSV or JSON Lines file, keeping its columns and order.")
    {
        Options.Add(_input);
        Options.Add(_output);
        _model = new ModelOptions(this);
        Options.Add(_textColumn);
        Options.Add(_format);
        Options.Add(_batchSize);
        Options.Add(_aspects);
        Options.Add(_emotion);
        Options.Add(_resume);
        Options.Add(_shard);
        Options.Add(_merge);
        SetAction((parse, cancellationToken) => RunAsync(parse, Console.Error, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parse, TextWriter log, CancellationToken cancellationToken)
    {
        TableFormat? format = null;
        if (parse.GetValue(_format) is { } formatName && (format = TableFormats.Parse(formatName)) is null)
            return Fail(log, $"--format takes csv, tsv or jsonl, not '{formatName}'");
        var input = parse.GetValue(_input);
        if (parse.GetResult(_merge) is not null)
        {
            if (input is not null || parse.GetValue(_shard) is not null) return Fail(log, "--merge takes the part files in place of --input and --shard");
            return Merge(parse.GetValue(_merge) ?? [], parse.GetValue(_output)!, format, log, cancellationToken);
        }
        if (input is null) return Fail(log, "--input is required (or --merge PARTS...)");
        ScoreShard? shard;
        try
        {
            shard = parse.GetValue(_shard) is { } value ? ScoreShard.Parse(value, Environment.GetEnvironmentVariable) : null;
        }
        catch (ScoreException e)
        {
            return Fail(log, e.Message);
        }
        AspectPreset? aspects;
        try
        {
            aspects = parse.GetValue(_aspects) is { } presetOrFile ? AspectLexicon.Resolve(presetOrFile) : null;
        }
        catch (Exception e) when (CliErrors.IsUsers(e))
        {
            return Fail(log, CliErrors.Message(e));
        }
        var options = new ScoreOptions
        {
            Aspects = aspects?.Aspects ?? [],
            Emotion = parse.GetValue(_emotion),
            Input = input,
            Output = parse.GetValue(_output)!,
            Shard = shard,
            Format = format,
            TextColumn = parse.GetValue(_textColumn),
            BatchSize = parse.GetValue(_batchSize) ?? ScoreOptions.DefaultBatchSize,
            Resume = parse.GetValue(_resume),
        };
        if (options.Problem() is { } problem) return Fail(log, problem);
        var model = _model.Read(parse);
        ModelReference reference;
        try
        {
            reference = _model.Resolve(model, Name);
        }
        catch (CliException e)
        {
            return Fail(log, e.Message);
        }
        var load = model.ToLoadOptions();
        // Every in-flight row is the scorer's own; its in-flight limit, not the queue, bounds memory.
        load = load with { Engine = load.Engine with { QueueCapacity = int.MaxValue } };
        return await RunAsync(options, reference.Folder, load, log, cancellationToken);
    }

    /// <summary>Loads the model and scores; returns the exit status, having written the summary or the one-line reason to <paramref name="log"/>.</summary>
    public static async Task<int> RunAsync(ScoreOptions options, string model, ModelLoadOptions load, TextWriter log, CancellationToken cancellationToken)
    {
        if (options.Problem() is { } problem) return Fail(log, problem);
        SentimentEngine engine;
        try
        {
            engine = ModelLoader.Load(model, load, message => log.WriteLine(CliErrors.Format("score", $"warning: {message}")));
        }
        catch (Exception e) when (CliErrors.IsUsers(e))
        {
            return Fail(log, CliErrors.Message(e));
        }
        using (engine)
        {
            try
            {
                var summary = await ScoreWithProgressAsync(engine, options, log, cancellationToken);
                Report(log, options, summary);
                return 0;
            }
            catch (ScoreException e)
            {
                return Fail(log, e.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                var partial = options.Output == "-" ? "" : $"; the rows done are in '{options.PartialPath}': rerun with --resume to continue";
                await log.WriteLineAsync($"zhsenti score: interrupted{partial}");
                return 130;
            }
        }
    }

    /// <summary>Merges the parts of a sharded run; returns the exit status, having written the outcome to <paramref name="log"/>.</summary>
    private static int Merge(IReadOnlyList<string> parts, string output, TableFormat? format, TextWriter log, CancellationToken cancellationToken)
    {
        try
        {
            long rows = PartMerger.Merge(parts, output, format, cancellationToken);
            log.WriteLine($"zhsenti score: {parts.Count} parts merged into '{output}', {rows:N0} rows");
            return 0;
        }
        catch (ScoreException e)
        {
            return Fail(log, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.WriteLine($"zhsenti score: interrupted; '{output}' was not written");
            return 130;
        }
    }

    private static int Fail(TextWriter log, string message) => CliErrors.Report("score", message, log);

    private static Task<ScoreSummary> ScoreWithProgressAsync(SentimentEngine engine, ScoreOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (!ReferenceEquals(log, Console.Error) || Console.IsErrorRedirected)
        {
            var next = PlainProgressInterval;
            return FileScorer.RunAsync(engine, options, progress =>
            {
                if (clock.Elapsed < next) return;
                next = clock.Elapsed + PlainProgressInterval;
                log.WriteLine($"zhsenti score: {Describe(progress, clock.Elapsed)}");
            }, cancellationToken);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("scoring", maxValue: 1);
                return await FileScorer.RunAsync(engine, options, progress =>
                {
                    task.IsIndeterminate = progress.TotalBytes is null;
                    if (progress.TotalBytes is { } total) task.MaxValue = Math.Max(total, 1);
                    task.Value = progress.BytesRead;
                    task.Description = $"{progress.Rows:N0} rows, {progress.RowsPerSecond(clock.Elapsed):N0} rows/s";
                }, cancellationToken);
            });
    }

    /// <summary>"120,000 rows, 3,456 rows/s, 45% of the input, about 0:01:10 left".</summary>
    private static string Describe(ScoreProgress progress, TimeSpan elapsed)
    {
        var text = $"{progress.Rows:N0} rows, {progress.RowsPerSecond(elapsed):N0} rows/s";
        if (progress.TotalBytes is { } total && progress.Remaining(elapsed) is { } left)
            text += $", {Math.Min(1.0, (double)progress.BytesRead / Math.Max(total, 1)).ToString("P0", CultureInfo.InvariantCulture)} of the input, about {left:g} left";
        return text;
    }

    private static void Report(TextWriter log, ScoreOptions options, ScoreSummary summary)
    {
        long scored = summary.Rows - summary.Errors, fresh = summary.Rows - summary.ResumedRows;
        var where = options.Output == "-" ? "standard output" : $"'{options.WritePath}'";
        log.WriteLine($"zhsenti score: {summary.Rows:N0} rows written to {where}, {scored:N0} scored, in {summary.Elapsed.TotalSeconds:N1} s ({fresh / Math.Max(summary.Elapsed.TotalSeconds, 1e-3):N0} rows/s)");
        if (options.Shard is { } shard) log.WriteLine($"zhsenti score: part {shard.Index} of {shard.Count}: the input rows whose ordinal modulo {shard.Count} is {shard.Index}; merge all {shard.Count} parts with --merge");
        if (summary.ResumedRows > 0) log.WriteLine($"zhsenti score: resumed after {summary.ResumedRows:N0} rows already in the partial output");
        if (summary.Errors > 0)
        {
            var lines = string.Join(", ", summary.ErrorLines) + (summary.Errors > summary.ErrorLines.Count ? ", ..." : "");
            log.WriteLine($"zhsenti score: {summary.Errors:N0} rows not scored (see their error column), at input lines {lines}");
        }
        if (summary.Encoding == SourceEncoding.Gb18030) log.WriteLine("zhsenti score: input read as GB18030");
        if (summary.Gb18030Lines > 0) log.WriteLine($"zhsenti score: {summary.Gb18030Lines:N0} input lines were not UTF-8 and were read as GB18030");
        if (summary.FlattenedValues > 0) log.WriteLine($"zhsenti score: {summary.FlattenedValues:N0} values held tabs or line breaks, written as spaces in the TSV output");
        if (summary.RowsWithDroppedKeys > 0) log.WriteLine($"zhsenti score: {summary.RowsWithDroppedKeys:N0} rows had keys not in the first row, which '{options.Output}' has no column for");
    }
}
