using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using ZhSentiment.Analysis;
using ZhSentiment.Inference;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti eval-aspects</c>: aspect mention precision/recall/F1 and aspect-polarity accuracy (plain and balanced) of
/// <c>/v1/analyze</c>'s analysis on a file of labelled (text, aspect, polarity) triples, per preset, per length band and in total.
/// </summary>
internal sealed class EvalAspectsCommand : Command
{
    private readonly Option<string> _data = new("--data") { Description = "TSV with a header: preset, text, aspects (物流:负面;价格:正面).", HelpName = "FILE", Required = true };
    private readonly ModelOptions _model;
    private readonly Option<string> _presets = new("--presets") { Description = "The folder of aspect presets. Default: aspects/ beside the executable.", HelpName = "DIR" };
    private readonly Option<bool> _errors = new("--errors") { Description = "List every missed, spurious or wrongly labelled aspect, with the opinions its answer came from." };
    private readonly Option<bool> _json = new("--json") { Description = "Write the results as JSON." };

    public EvalAspectsCommand() : base("eval-aspects", "Measure aspect analysis on labelled (text, aspect, polarity) triples: mention precision/recall/F1, aspect-polarity accuracy and balanced accuracy, per preset and by text length.")
    {
        Options.Add(_data);
        _model = new ModelOptions(this);
        Options.Add(_presets);
        Options.Add(_errors);
        Options.Add(_json);
        SetAction((parse, _) => CliErrors.RunAsync(Name, () => RunAsync(parse)));
    }

    private async Task<int> RunAsync(ParseResult parse)
    {
        string dataPath = parse.GetValue(_data)!;
        var examples = AspectEvaluation.Read(dataPath);
        var presets = AspectLexicon.LoadFolder(parse.GetValue(_presets) ?? AspectLexicon.DefaultFolder);
        using var engine = _model.Load(parse, Name);

        var total = new AspectEvaluation();
        var byPreset = new List<(string Preset, AspectEvaluation Evaluation)>();
        var byLength = AspectEvaluation.LengthBands.Select(b => (Band: b.Name, Evaluation: new AspectEvaluation())).ToList();
        var mistakes = new List<Mistake>();
        foreach (var group in examples.GroupBy(e => e.Preset))
        {
            var preset = AspectLexicon.Find(presets, group.Key)
                ?? throw new CliException($"{dataPath}: no preset '{group.Key}' (the presets are {string.Join(", ", presets.Select(p => p.Name))})");
            var items = group.ToArray();
            var analyses = await TextAnalyzer.AnalyzeAsync(engine, [.. items.Select(e => e.Text)], preset.Aspects);
            var evaluation = new AspectEvaluation();
            for (int i = 0; i < items.Length; i++)
            {
                var predicted = analyses[i].Aspects.Select(a => (a.Name, a.Verdict is { } v ? v.Label : null)).ToList();
                evaluation.Add(items[i].Gold, predicted);
                total.Add(items[i].Gold, predicted);
                byLength.Single(b => b.Band == AspectEvaluation.LengthBand(items[i].Text)).Evaluation.Add(items[i].Gold, predicted);
                foreach (var aspect in analyses[i].Aspects)
                {
                    var (gold, label) = (items[i].Gold.GetValueOrDefault(aspect.Name), aspect.Verdict?.Label);
                    if (gold != label)
                        mistakes.Add(new(items[i].Line, items[i].Text, aspect.Name, gold ?? "-", label ?? "-", [.. aspect.Spans.Select(x => items[i].Text[x.Start..x.End])]));
                }
            }
            byPreset.Add((preset.Name, evaluation));
        }

        byLength.RemoveAll(b => b.Evaluation.Texts == 0);
        if (parse.GetValue(_json)) WriteJson(dataPath, engine.Info, byPreset, byLength, total, parse.GetValue(_errors) ? mistakes : []);
        else WriteTables(dataPath, engine.Info, byPreset, byLength, total, parse.GetValue(_errors) ? mistakes : []);
        return 0;
    }

    private static JsonObject Figures(AspectEvaluation e) => new()
    {
        ["texts"] = e.Texts,
        ["triples"] = e.Triples,
        ["mention_precision"] = e.Precision,
        ["mention_recall"] = e.Recall,
        ["mention_f1"] = e.F1,
        ["polarity_accuracy"] = e.PolarityAccuracy,
        ["balanced_polarity_accuracy"] = e.BalancedPolarityAccuracy,
        ["polarity_recall"] = new JsonObject([.. e.PolarityRecall.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))]),
        ["end_to_end_accuracy"] = e.EndToEndAccuracy,
    };

    private static void WriteJson(string dataPath, ModelInfo info, List<(string Preset, AspectEvaluation Evaluation)> byPreset,
        List<(string Band, AspectEvaluation Evaluation)> byLength, AspectEvaluation total,
        List<Mistake> mistakes)
    {
        // JsonObject rather than anonymous types: the release is Native AOT, where reflection-based serialization is unavailable.
        var doc = Figures(total);
        doc["data"] = dataPath;
        doc["model"] = info.Source;
        doc["presets"] = new JsonArray([.. byPreset.Select(p => { var o = Figures(p.Evaluation); o["preset"] = p.Preset; return o; })]);
        doc["by_length"] = new JsonArray([.. byLength.Select(b => { var o = Figures(b.Evaluation); o["length"] = b.Band; return o; })]);
        doc["errors"] = new JsonArray([.. mistakes.Select(m => new JsonObject
        {
            ["line"] = m.Line, ["text"] = m.Text, ["aspect"] = m.Aspect, ["gold"] = m.Gold, ["predicted"] = m.Predicted,
            ["evidence"] = new JsonArray([.. m.Evidence.Select(e => (JsonNode)e)]),
        })]);
        Console.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    private static void WriteTables(string dataPath, ModelInfo info, List<(string Preset, AspectEvaluation Evaluation)> byPreset,
        List<(string Band, AspectEvaluation Evaluation)> byLength, AspectEvaluation total,
        List<Mistake> mistakes)
    {
        var console = AnsiConsole.Console;
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLineInterpolated($"[bold]{info.Name}[/] ({info.Architecture}) on {dataPath}: {total.Texts} texts, {total.Triples} (text, aspect, polarity) triples");
        console.MarkupLineInterpolated($"mention F1 [bold]{total.F1.ToString("F4", inv)}[/], aspect-polarity accuracy [bold]{total.PolarityAccuracy.ToString("P2", inv)}[/], balanced [bold]{total.BalancedPolarityAccuracy.ToString("P2", inv)}[/] (end to end, misses counting as wrong: {total.EndToEndAccuracy.ToString("P2", inv)})");
        Table Figures(string first, IEnumerable<(string Name, AspectEvaluation Evaluation)> rows)
        {
            var table = new Table().AddColumns(first, "texts", "triples", "mention P", "mention R", "mention F1", "polarity acc.", "balanced", "end to end");
            foreach (var (name, e) in rows)
                table.AddRow(Markup.Escape(name), e.Texts.ToString(inv), e.Triples.ToString(inv), e.Precision.ToString("F4", inv), e.Recall.ToString("F4", inv),
                    e.F1.ToString("F4", inv), e.PolarityAccuracy.ToString("P2", inv), e.BalancedPolarityAccuracy.ToString("P2", inv), e.EndToEndAccuracy.ToString("P2", inv));
            return table;
        }
        console.Write(Figures("preset", byPreset.Append(("all", total))));
        console.Write(Figures("characters", byLength));
        if (mistakes.Count == 0) return;
        var errors = new Table().AddColumns("line", "aspect", "gold", "predicted", "evidence", "text");
        foreach (var m in mistakes)
            errors.AddRow(m.Line.ToString(inv), Markup.Escape(m.Aspect), Markup.Escape(m.Gold), Markup.Escape(m.Predicted),
                Markup.Escape(string.Join(" … ", m.Evidence)), Markup.Escape(m.Text));
        console.Write(errors);
    }

    /// <summary>An aspect answered otherwise than its gold ("-": not mentioned), with the opinions the answer came from.</summary>
    private sealed record Mistake(int Line, string Text, string Aspect, string Gold, string Predicted, string[] Evidence);
}
