using System.CommandLine;
using System.Globalization;
using ZhSentiment.Inference;

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
    private readonly Argument<string[]> _texts = new("TEXT") { Description = "Texts to classify; without any, one per line from stdin.", Arity = ArgumentArity.ZeroOrMore };

    public PredictCommand() : base("predict", "Classify texts: label (Positive/Negative), score, and every class's probability.")
    {
        Model = new ModelOptions(this);
        Options.Add(_json);
        Arguments.Add(_texts);
        SetAction((parse, _) => CliErrors.RunAsync(Name, () => RunAsync(parse)));
    }

    private async Task<int> RunAsync(ParseResult parse)
    {
        bool json = parse.GetValue(_json);
        using var engine = Model.Load(parse, Name);
        using var output = new JsonLines();
        using var text = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        int failed = 0;
        foreach (var chunk in InputTexts.From(parse.GetValue(_texts)).Chunk(Chunk))
        {
            var valid = chunk.Where(t => !string.IsNullOrWhiteSpace(t.Text)).Select(t => t.Text).ToArray();
            var results = valid.Length > 0 ? await engine.PredictAsync(valid) : [];
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
                var result = results[next++];
                if (json) output.Write(w => WriteJson(w, input.Text, result, engine.Labels));
                else await text.WriteLineAsync($"{result.Polarity}\t{result.PolarityScore.ToString("F4", CultureInfo.InvariantCulture)}\t{input.Text}");
            }
            await text.FlushAsync();
        }
        return failed == 0 ? 0 : 1;
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
