using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ZhSentiment.Analysis;
using ZhSentiment.Inference;
using ZhSentiment.Serving;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti predict</c>: the label of each text, from arguments or stdin lines, in input order. Texts go to the
/// engine in chunks so the batcher groups them; a blank text gets an error line in its place, never a silent gap.
/// </summary>
internal sealed class PredictCommand : Command
{
    private const int Chunk = 256;

    public ModelOptions Model { get; }
    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per line: {\"text\",\"label\",\"score\",\"labels\",\"probabilities\",\"logits\"}." };
    private readonly Option<bool> _analyze = new("--analyze") { Description = "With --json: sentences, evidence and aspects per text, as POST /v1/analyze answers them." };
    private readonly Option<bool> _emotion = new("--emotion") { Description = "The emotion of each text (models with emotion labels): with --json the object POST /v1/emotion answers per text, plus \"text\"; else EMOTION<TAB>SCORE<TAB>TEXT." };
    private readonly Option<string> _aspects = new("--aspects") { Description = "With --analyze: the aspects to look for, a preset (电商, ecommerce, …) or a lexicon file.", HelpName = "PRESET|FILE" };
    private readonly Argument<string[]> _texts = new("TEXT") { Description = "Texts to classify; without any, one per line from stdin.", Arity = ArgumentArity.ZeroOrMore };

    public PredictCommand() : base("predict", "Classify texts: label (Positive/Negative), score, and every class's probability.")
    {
        Model = new ModelOptions(this);
        Options.Add(_json);
        Options.Add(_analyze);
        Options.Add(_emotion);
        Options.Add(_aspects);
        Arguments.Add(_texts);
        SetAction((parse, _) => CliErrors.RunAsync(Name, () => RunAsync(parse)));
    }

    private async Task<int> RunAsync(ParseResult parse)
    {
        bool json = parse.GetValue(_json), analyze = parse.GetValue(_analyze), emotion = parse.GetValue(_emotion);
        if (analyze && !json) throw new CliException("--analyze writes JSON: add --json");
        if (analyze && emotion) throw new CliException("--analyze already gives each sentence its emotion; use one of --analyze and --emotion");
        if (!analyze && parse.GetValue(_aspects) is not null) throw new CliException("--aspects needs --analyze");
        IReadOnlyList<Aspect> aspects = parse.GetValue(_aspects) is { } presetOrFile ? AspectLexicon.Resolve(presetOrFile).Aspects : [];
        using var engine = Model.Load(parse, Name);
        if (emotion && engine.Labels.EmotionHead is null) throw new CliException(engine.Labels.NoEmotions(engine.Info.Name));
        using var output = new JsonLines();
        using var text = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        int failed = 0;
        foreach (var chunk in InputTexts.From(parse.GetValue(_texts)).Chunk(Chunk))
        {
            var valid = chunk.Where(t => !string.IsNullOrWhiteSpace(t.Text)).Select(t => t.Text).ToArray();
            var results = analyze || valid.Length == 0 ? [] : await engine.PredictAsync(valid);
            var analyses = analyze && valid.Length > 0 ? await TextAnalyzer.AnalyzeAsync(engine, valid, aspects) : [];
            int next = 0;
            foreach (var input in chunk)
            {
                if (string.IsNullOrWhiteSpace(input.Text))
                {
                    failed++;
                    await Console.Error.WriteLineAsync(CliErrors.Format(Name, $"{input.Origin}: empty text, nothing to classify"));
                    if (json) output.Write(w => { w.WriteString("text", input.Text); w.WriteString("error", "empty text"); });
                    else await text.WriteLineAsync("error\t\t" + input.Text);
                    continue;
                }
                if (analyze)
                {
                    var item = AnalyzeEndpoints.ToItem(analyses[next++], engine.Labels, null);
                    output.Write(w => WriteObject(w, input.Text, item, ServiceJsonContext.Default.AnalyzeItem));
                    continue;
                }
                var result = results[next++];
                if (emotion)
                {
                    if (json) output.Write(w => WriteObject(w, input.Text, EmotionEndpoints.ToItem(result), ServiceJsonContext.Default.EmotionItem));
                    else await text.WriteLineAsync($"{result.Emotion}\t{result.EmotionScore.ToString("F4", CultureInfo.InvariantCulture)}\t{input.Text}");
                }
                else if (json) output.Write(w => WriteJson(w, input.Text, result, engine.Labels));
                else await text.WriteLineAsync($"{result.Polarity}\t{result.PolarityScore.ToString("F4", CultureInfo.InvariantCulture)}\t{input.Text}");
            }
            await text.FlushAsync();
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>A route's answer for one text with <c>"text"</c> first, so the CLI's JSON lines match the service's.</summary>
    private static void WriteObject<T>(Utf8JsonWriter w, string text, T item, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        w.WriteString("text", text);
        foreach (var property in JsonSerializer.SerializeToElement(item, type).EnumerateObject()) property.WriteTo(w);
    }

    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, string text, SentimentResult result, LabelSet labels)
    {
        w.WriteString("text", text);
        w.WriteString("label", result.Polarity);
        w.WriteNumber("score", result.PolarityScore);
        w.WriteStartArray("labels");
        foreach (var label in labels.ModelLabels) w.WriteStringValue(label);
        w.WriteEndArray();
        w.WriteStartArray("probabilities");
        foreach (var p in result.Probabilities) w.WriteNumberValue(p);
        w.WriteEndArray();
        w.WriteStartArray("logits");
        foreach (var l in result.Logits) w.WriteNumberValue(l);
        w.WriteEndArray();
    }
}
