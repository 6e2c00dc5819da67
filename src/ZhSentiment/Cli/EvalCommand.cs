using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using ZhSentiment.Data;
using ZhSentiment.Inference;
using ZhSentiment.Serving;
using ZhSentiment.Training;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti eval</c>: a model's accuracy, macro-F1, calibration error, per-label precision/recall, confusion matrix and per-source
/// accuracy on a labelled file, with its load time, throughput and one-text latency.
/// </summary>
internal sealed class EvalCommand : Command
{
    /// <summary>Texts of at most this many characters count as short for the one-at-a-time latency figure.</summary>
    private const int ShortText = 64;
    private const int LatencySamples = 500;

    private readonly Option<string> _data = new("--data") { Description = "Labelled CSV, TSV or JSON Lines (as for train); a 'source' column adds a per-source breakdown. A file of emotion labels measures the model's emotion head (its top emotion among the file's).", HelpName = "FILE", Required = true };
    private readonly Option<string> _textColumn = ColumnOptions.Text();
    private readonly Option<string> _labelColumn = ColumnOptions.Label();
    private readonly ModelOptions _model;
    private readonly Option<bool> _json = new("--json") { Description = "Write the results as JSON." };

    public EvalCommand() : base("eval", "Measure a model on a labelled file: accuracy, macro-F1, per-label precision/recall, confusion matrix, per-source accuracy, timings.")
    {
        Options.Add(_data);
        Options.Add(_textColumn);
        Options.Add(_labelColumn);
        _model = new ModelOptions(this);
        Options.Add(_json);
        SetAction(parse => Run(parse));
    }

    private int Run(ParseResult parse)
    {
        string dataPath = parse.GetValue(_data)!;
        try
        {
            var data = LabelledDataset.Read(dataPath, textColumn: parse.GetValue(_textColumn), labelColumn: parse.GetValue(_labelColumn));
            var load = Stopwatch.StartNew();
            using var engine = _model.Load(parse, Name);
            // Ready as the service is ready: loaded and one warm-up prediction made.
            engine.Predict(["预热"]);
            load.Stop();
            if (Decision.Incompatibility(engine.Labels, data.Labels) is { } problem) throw new ModelFormatException(engine.Info.Folder, problem);

            var texts = data.Examples.Select(e => e.Text).ToArray();
            var run = Stopwatch.StartNew();
            var results = texts.Length == 0 ? [] : engine.Predict(texts);
            run.Stop();
            // In the dataset's label order, whatever order the model's logits are in.
            var decisions = results.Select(r => Decision.Predict(engine.Labels, r.Probabilities, data.Labels)).ToArray();
            var predicted = decisions.Select(d => d.Label).ToArray();
            var metrics = ClassificationMetrics.Compute(data.Labels, [.. data.Examples.Select(e => e.Label)], predicted,
                data.HasSource ? [.. data.Examples.Select(e => e.Source)] : null);
            var reliability = ReliabilityDiagram.Compute([.. decisions.Select(d => d.Confidence)], [.. predicted.Select((p, i) => p == data.Examples[i].Label)]);
            var latency = MeasureLatency(engine, texts);

            var timing = new Timing(load.Elapsed.TotalMilliseconds, texts.Length == 0 ? 0 : run.Elapsed.TotalMilliseconds / texts.Length,
                latency.Count, latency.Count == 0 ? 0 : latency.Average(), latency.Count == 0 ? 0 : Percentile(latency, 0.5), parse.GetValue(_model.Threads));
            if (parse.GetValue(_json)) WriteJson(dataPath, engine.Info, data, metrics, reliability, timing);
            else WriteTables(dataPath, engine.Info, data, metrics, reliability, timing);
            return 0;
        }
        catch (Exception e) when (CliErrors.IsUsers(e))
        {
            return CliErrors.Report(Name, CliErrors.Message(e));
        }
    }

    /// <param name="Threads">As given with --threads; null: one per physical core.</param>
    private sealed record Timing(double LoadMs, double BatchedMsPerText, int ShortTexts, double ShortMeanMs, double ShortMedianMs, int? Threads);

    /// <summary>Milliseconds to classify short texts one call at a time, after a warm-up.</summary>
    private static List<double> MeasureLatency(SentimentEngine engine, string[] texts)
    {
        var shortTexts = texts.Where(t => t.Length <= ShortText).Take(LatencySamples).ToArray();
        var times = new List<double>(shortTexts.Length);
        if (shortTexts.Length == 0) return times;
        string[] one = [shortTexts[0]];
        for (int i = 0; i < 20; i++) engine.Predict(one);
        foreach (var text in shortTexts)
        {
            one[0] = text;
            long start = Stopwatch.GetTimestamp();
            engine.Predict(one);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
    }

    private static void WriteJson(string dataPath, ModelInfo info, LabelledDataset data, ClassificationMetrics m, ReliabilityDiagram reliability, Timing timing)
    {
        // JsonObject rather than anonymous types: the release is Native AOT, where reflection-based serialization is unavailable.
        var doc = new JsonObject
        {
            ["data"] = dataPath,
            ["model"] = info.Source,
            ["architecture"] = info.Architecture,
            ["rows"] = m.Count,
            ["bad_rows"] = data.BadRowCount,
            ["bad_row_list"] = new JsonArray([.. data.BadRows.Select(b => new JsonObject { ["line"] = b.Line, ["problem"] = b.Problem })]),
            ["accuracy"] = m.Accuracy,
            ["macro_f1"] = m.MacroF1,
            ["classes"] = new JsonArray([.. m.Classes.Select(c => new JsonObject
            {
                ["label"] = c.Label, ["precision"] = c.Precision, ["recall"] = c.Recall, ["f1"] = c.F1, ["support"] = c.Support,
            })]),
            ["confusion"] = new JsonObject
            {
                ["labels"] = new JsonArray([.. m.Classes.Select(c => (JsonNode?)c.Label)]),
                ["gold_by_predicted"] = new JsonArray([.. m.Confusion.Select(row => new JsonArray([.. row.Select(n => (JsonNode?)n)]))]),
            },
            ["sources"] = new JsonArray([.. m.Sources.Select(s => new JsonObject { ["source"] = s.Source, ["count"] = s.Count, ["accuracy"] = s.Accuracy })]),
            ["calibration"] = new JsonObject
            {
                ["expected_calibration_error"] = reliability.ExpectedCalibrationError,
                ["bins"] = new JsonArray([.. reliability.Bins.Select(b => new JsonObject
                {
                    ["low"] = b.Low, ["high"] = b.High, ["count"] = b.Count, ["mean_confidence"] = b.MeanConfidence, ["accuracy"] = b.Accuracy,
                })]),
            },
            ["timing"] = new JsonObject
            {
                ["threads"] = timing.Threads,
                ["load_and_first_prediction_ms"] = timing.LoadMs,
                ["batched_ms_per_text"] = timing.BatchedMsPerText,
                ["short_texts"] = timing.ShortTexts,
                ["short_text_mean_ms"] = timing.ShortMeanMs,
                ["short_text_median_ms"] = timing.ShortMedianMs,
            },
        };
        Console.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JsonTextEncoder.Instance }));
    }

    private static void WriteTables(string dataPath, ModelInfo info, LabelledDataset data, ClassificationMetrics m, ReliabilityDiagram reliability, Timing timing)
    {
        var console = AnsiConsole.Console;
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLineInterpolated($"[bold]{info.Name}[/] ({info.Architecture}) on {dataPath}: {m.Count} rows, {data.BadRowCount} bad");
        TrainCommand.ReportBadRows(data, dataPath);
        console.MarkupLineInterpolated($"accuracy [bold]{m.Accuracy.ToString("P2", inv)}[/], macro-F1 {m.MacroF1.ToString("F4", inv)}, expected calibration error {reliability.ExpectedCalibrationError.ToString("F4", inv)} (10 bins of the top probability)");

        var classes = new Table().AddColumns("label", "precision", "recall", "F1", "support");
        foreach (var c in m.Classes)
            classes.AddRow(Markup.Escape(c.Label), c.Precision.ToString("F4", inv), c.Recall.ToString("F4", inv), c.F1.ToString("F4", inv), c.Support.ToString(inv));
        console.Write(classes);

        var confusion = new Table().AddColumn("gold \\ predicted");
        foreach (var c in m.Classes) confusion.AddColumn(Markup.Escape(c.Label));
        for (int g = 0; g < m.Classes.Count; g++)
            confusion.AddRow([Markup.Escape(m.Classes[g].Label), .. m.Confusion[g].Select(v => v.ToString(inv))]);
        console.Write(confusion);

        if (m.Sources.Count > 0)
        {
            var sources = new Table().AddColumns("source", "rows", "accuracy");
            foreach (var s in m.Sources) sources.AddRow(Markup.Escape(s.Source), s.Count.ToString(inv), s.Accuracy.ToString("P2", inv));
            console.Write(sources);
        }
        console.WriteLine(string.Create(inv,
            $"timing ({(timing.Threads is { } threads ? $"{threads} thread(s)" : "a thread per physical core")}): load and first prediction {timing.LoadMs:F0} ms; batched {timing.BatchedMsPerText:F3} ms/text; one short text (≤{ShortText} chars, {timing.ShortTexts} texts) at a time: mean {timing.ShortMeanMs:F3} ms, median {timing.ShortMedianMs:F3} ms"));
    }
}
