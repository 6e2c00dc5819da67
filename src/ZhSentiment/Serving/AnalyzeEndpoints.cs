using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ZhSentiment.Analysis;
using ZhSentiment.Inference;

namespace ZhSentiment.Serving;

/// <summary>The aspect presets of <c>aspects/</c> beside the executable, read once at start-up.</summary>
public sealed class AspectPresets(IReadOnlyList<AspectPreset> all)
{
    public IReadOnlyList<AspectPreset> All { get; } = all;

    public AspectPresetInfo[] Describe() => [.. All.Select(p => new AspectPresetInfo(p.Name, p.Alias, [.. p.Aspects.Select(a => a.Name)]))];
}

/// <summary><c>/v1/analyze</c>: sentences, evidence and aspects of each text (<see cref="TextAnalyzer"/>).</summary>
internal static class AnalyzeEndpoints
{
    public static RouteGroupBuilder MapAnalyze(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("Analysis");
        group.MapPost("/analyze", Analyze)
            .AcceptsJson<AnalyzeRequest>()
            .ProducesTextProblems()
            .WithName("Analyze")
            .WithSummary("Sentences, evidence and aspects of one or several texts")
            .WithDescription(
                "Send `{\"text\": \"...\"}` or `{\"texts\": [...]}`, optionally with `\"aspects\"`: a preset's name (`/info` lists them) or " +
                "a list of aspects, each a name or `{\"name\": \"物流\", \"terms\": [\"快递\", \"发货\"]}`. Each result gives the overall verdict " +
                "(the whole text's, with the clauses after a contrast marker such as 但是 or 可惜 weighing more), every clause's verdict, " +
                $"the {TextAnalyzer.MaxEvidence} spans that moved the verdict most, each weighed by predicting the text without it " +
                $"(at most {TextAnalyzer.MaxPredictionsPerText} predictions per text, only {TextAnalyzer.MaxEvidence} of them as long as the text), " +
                "whether the text is mixed (one sentence clearly Positive and another clearly Negative), " +
                "and for every aspect whether it is mentioned and the verdict of its strongest, latest opinion (each mention judged by its own words, " +
                "up to the next mention, contrast or clause end, and by the clauses after it that name no other aspect; a lukewarm 还行/一般/凑合 Neutral; " +
                "one clearly praised and clearly blamed Neutral on a three-class model), with that opinion as its evidence. " +
                "Offsets are UTF-16 code units, `end` exclusive. `\"model\": NAME` picks a model other than the default.");
        return group;
    }

    private static async Task<Results<Ok<AnalyzeResponse>, ProblemHttpResult>> Analyze(
        HttpContext context, ModelRegistry models, AspectPresets presets, IOptions<ServiceOptions> options)
    {
        var body = await RequestReader.ReadAsync(context.Request, options.Value, TextShape.OneOrMany, readAspects: true);
        if (body.Problem is { } invalid) return invalid;
        IReadOnlyList<Aspect> aspects = [];
        if (body.Aspects is { Preset: { } name })
        {
            if (AspectLexicon.Find(presets.All, name) is not { } preset)
                return TypedResults.Problem(
                    $"`aspects` names no preset '{name}'; the presets are {string.Join(", ", presets.All.Select(p => p.Alias is null ? p.Name : $"{p.Name} ({p.Alias})"))}, or send a list of aspects.",
                    statusCode: StatusCodes.Status400BadRequest);
            aspects = preset.Aspects;
        }
        else if (body.Aspects is { Custom: { } custom })
        {
            aspects = custom;
        }
        using var lease = models.Lease(context, body.Model);
        if (lease.Problem is { } unavailable) return unavailable;
        var engine = lease.Engine;

        var (analyses, problem) = await Prediction.RunAsync(context, engine,
            token => TextAnalyzer.AnalyzeAsync(engine, body.Texts, aspects, cancellationToken: token), analyses => analyses[0].Whole.InferenceTime,
            analyses => analyses.Sum(a => a.Predictions));
        if (problem is not null) return problem;
        var items = new AnalyzeItem[analyses!.Length];
        for (int i = 0; i < items.Length; i++) items[i] = ToItem(analyses[i], engine.Labels, body.NeutralThreshold);
        return TypedResults.Ok(new AnalyzeResponse(engine.Info.Name, items));
    }

    /// <summary>The JSON of one analysis, as <c>/v1/analyze</c> and <c>zhsenti predict --json --analyze</c> write it.</summary>
    public static AnalyzeItem ToItem(TextAnalysis analysis, LabelSet labels, double? neutralThreshold)
    {
        var text = analysis.Text;
        string Label(Verdict v) => Prediction.LabelOf(v.Label, v.Score, neutralThreshold);
        var probabilities = Prediction.SentimentProbabilities(labels, analysis.Verdict.Probabilities);

        var sentences = new SentenceItem[analysis.Sentences.Count];
        for (int i = 0; i < sentences.Length; i++)
        {
            var s = analysis.Sentences[i];
            sentences[i] = new SentenceItem(text[s.Start..s.End], s.Start, s.End, Label(s.Verdict), s.Verdict.Score,
                s.Verdict.Emotion, s.Verdict.Emotion is null ? null : s.Verdict.EmotionScore);
        }

        var evidence = new EvidenceItem[analysis.Evidence.Count];
        for (int i = 0; i < evidence.Length; i++)
        {
            var e = analysis.Evidence[i];
            evidence[i] = new EvidenceItem(text[e.Start..e.End], e.Start, e.End, e.Weight);
        }

        var aspects = new AspectItem[analysis.Aspects.Count];
        for (int i = 0; i < aspects.Length; i++)
        {
            var a = analysis.Aspects[i];
            var spans = new SpanItem[a.Spans.Count];
            for (int j = 0; j < spans.Length; j++) spans[j] = new SpanItem(text[a.Spans[j].Start..a.Spans[j].End], a.Spans[j].Start, a.Spans[j].End);
            aspects[i] = a.Verdict is { } v
                ? new AspectItem(a.Name, true, Label(v), v.Score, spans)
                : new AspectItem(a.Name, false, null, null, spans);
        }
        var overall = analysis.Verdict;
        return new AnalyzeItem(Label(overall), overall.Score, probabilities, sentences, evidence, aspects, analysis.Mixed,
            overall.Emotion, overall.Emotion is null ? null : overall.EmotionScore);
    }
}
