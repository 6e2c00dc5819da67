using ZhSentiment.Inference;
using ZhSentiment.Analysis;

namespace ZhSentiment.Tests.Analysis;

public class TextAnalyzerTests
{
    private static readonly Aspect[] Aspects = [new("物流", ["快递"]), new("价格", ["便宜"]), new("屏幕", [])];

    private static async Task<TextAnalysis> AnalyzeAsync(string text, IReadOnlyList<Aspect>? aspects = null)
    {
        using var engine = PolarityModel.Engine();
        return (await TextAnalyzer.AnalyzeAsync(engine, [text], aspects ?? Aspects, cancellationToken: TestContext.Current.CancellationToken))[0];
    }

    [Fact]
    public async Task WithoutContrastTheVerdictIsTheWholeTexts()
    {
        const string text = "物流好，价格差，包装好";
        var analysis = await AnalyzeAsync(text);

        Assert.False(analysis.ContrastApplied);
        Assert.Equal(analysis.Whole.Probabilities, analysis.Verdict.Probabilities);
        Assert.Equal(PolarityModel.Positive(text), analysis.Verdict.Probabilities[1], 5);
        Assert.Equal(["物流好", "价格差", "包装好"], analysis.Sentences.Select(s => text[s.Start..s.End]));
        Assert.Equal([1, 0, 1], analysis.Sentences.Select(s => s.Verdict.LabelIndex));
    }

    [Fact]
    public async Task TheClausesAfterAContrastWeighMore()
    {
        // The whole text leans positive (好好 against 差); the clause after 但是 is negative and decides.
        const string text = "外观好，做工好，但是续航差";
        var analysis = await AnalyzeAsync(text);

        float whole = PolarityModel.Positive(text), after = PolarityModel.Positive("续航差");
        float expected = (1 - TextAnalyzer.ContrastWeight) * whole + TextAnalyzer.ContrastWeight * after;
        Assert.True(analysis.ContrastApplied);
        Assert.True(whole > 0.5f);
        Assert.Equal(expected, analysis.Verdict.Probabilities[1], 5);
        Assert.Equal(0, analysis.Verdict.LabelIndex);
    }

    [Fact]
    public async Task OnlyTheLastTurnOfASentenceIsItsFocus()
    {
        const string text = "好，但是差，不过好好。差";
        var analysis = await AnalyzeAsync(text);
        float expected = (1 - TextAnalyzer.ContrastWeight) * PolarityModel.Positive(text) + TextAnalyzer.ContrastWeight * PolarityModel.Positive("好好");
        Assert.Equal(expected, analysis.Verdict.Probabilities[1], 5);
    }

    [Fact]
    public async Task EvidenceIsTheChangeInPositiveWhenASpanIsRemovedStrongestFirst()
    {
        const string text = "物流很好好，价格差";
        var analysis = await AnalyzeAsync(text);

        float whole = PolarityModel.Positive(text);
        var weights = analysis.Evidence.ToDictionary(e => text[e.Start..e.End], e => e.Weight);
        // Each clause offers its opinion: after the aspect's mention, from the degree word on (物流[很好好], 价格[差]).
        Assert.Equal(["差", "很好好"], weights.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(whole - PolarityModel.Positive("物流，价格差"), weights["很好好"], 5);
        Assert.Equal(whole - PolarityModel.Positive("物流很好好，价格"), weights["差"], 5);
        Assert.True(weights["差"] < 0 && weights["很好好"] > 0);
        Assert.Equal(analysis.Evidence.OrderByDescending(e => Math.Abs(e.Weight)), analysis.Evidence);
        // The whole text, two clauses alone, two removals.
        Assert.Equal(5, analysis.Predictions);
    }

    [Fact]
    public async Task OnlyTheClausesThatLeanFurthestAreWeighed()
    {
        // Five clauses; alone, 好好好 and 差差 lean furthest, then 好, while 一般 and 还行 lean nowhere.
        Assert.Equal(2, TextAnalyzer.MaxEvidence);
        const string text = "一般，好好好，还行，差差，好";
        var analysis = await AnalyzeAsync(text, []);
        Assert.Equal(TextAnalyzer.MaxEvidence, analysis.Evidence.Count);
        Assert.Equal(["好好好", "差差"], analysis.Evidence.Select(e => text[e.Start..e.End]).Order());
        float whole = PolarityModel.Positive(text);
        foreach (var e in analysis.Evidence)
            Assert.Equal(whole - PolarityModel.Positive(text[..e.Start] + text[e.End..]), e.Weight, 5);
        Assert.Equal(1 + 5 + TextAnalyzer.MaxEvidence, analysis.Predictions);
    }

    [Fact]
    public async Task A_text_is_mixed_when_one_sentence_is_clearly_positive_and_another_clearly_negative()
    {
        Assert.True((await AnalyzeAsync("好好好，差差差", [])).Mixed);
        Assert.False((await AnalyzeAsync("好好好，好", [])).Mixed);
        // 一般 alone is an even split, neither side.
        Assert.False((await AnalyzeAsync("一般，差差差", [])).Mixed);
    }

    [Fact]
    public async Task ASingleClauseIsWeighedAgainstTheUniformVerdict()
    {
        var analysis = await AnalyzeAsync("好好");
        var only = Assert.Single(analysis.Evidence);
        Assert.Equal((0, 2), (only.Start, only.End));
        Assert.Equal(PolarityModel.Positive("好好") - 0.5f, only.Weight, 5);
        Assert.Equal(1, analysis.Predictions);
    }

    [Fact]
    public async Task AnAspectTakesItsStrongestLatestOpinion()
    {
        // 快递好 and 物流还是好 are as strong: the later counts. 价格差 is its own clause.
        const string text = "快递好，物流还是好，价格差";
        var analysis = await AnalyzeAsync(text);

        var logistics = analysis.Aspects[0];
        Assert.True(logistics.Mentioned);
        Assert.Equal([(4, 9)], logistics.Spans);
        Assert.Equal(PolarityModel.Positive("物流还是好"), logistics.Verdict!.Probabilities[1], 5);
        Assert.Equal(0, analysis.Aspects[1].Verdict!.LabelIndex);
        Assert.False(analysis.Aspects[2].Mentioned);
        Assert.Null(analysis.Aspects[2].Verdict);
        Assert.Empty(analysis.Aspects[2].Spans);

        // A clear judgement outweighs a later description: 快递好好好 beats 物流到了.
        var stronger = await AnalyzeAsync("快递好好好，物流到了");
        Assert.Equal("快递好好好", "快递好好好，物流到了"[stronger.Aspects[0].Spans[0].Start..stronger.Aspects[0].Spans[0].End]);
    }

    [Fact]
    public async Task TwoAspectsInOneClauseGetTheirOwnVerdicts()
    {
        // One clause, two opinions: the whole clause is even (one 好, one 差), each aspect is not.
        const string text = "物流很好价格差";
        var analysis = await AnalyzeAsync(text);
        Assert.Single(analysis.Sentences);
        Assert.Equal(LabelSet.Positive, analysis.Aspects[0].Verdict!.Label);
        Assert.Equal(LabelSet.Negative, analysis.Aspects[1].Verdict!.Label);
        Assert.Equal(["物流很好", "价格差"], analysis.Aspects.Take(2).Select(a => text[a.Spans[0].Start..a.Spans[0].End]));
        Assert.Equal(PolarityModel.Positive("物流很好"), analysis.Aspects[0].Verdict!.Probabilities[1], 5);
        // The text (its own clause) and the two opinions in the first pass; one removal for the evidence in the second.
        Assert.Equal(1 + 2 + 1, analysis.Predictions);
    }

    [Fact]
    public async Task A_lukewarm_opinion_is_neutral_on_a_three_class_model()
    {
        // 物流还行 has no 好 or 差: the model splits it evenly; the rule makes it Neutral. 价格差 stays Negative.
        using var engine = PolarityModel.Engine(neutral: true);
        var analysis = (await TextAnalyzer.AnalyzeAsync(engine, ["物流还行就是慢，价格差"], Aspects, cancellationToken: TestContext.Current.CancellationToken))[0];
        Assert.Equal(LabelSet.Neutral, analysis.Aspects[0].Verdict!.Label);
        Assert.Equal("物流还行", "物流还行就是慢，价格差"[analysis.Aspects[0].Spans[0].Start..analysis.Aspects[0].Spans[0].End]);
        Assert.Equal(LabelSet.Negative, analysis.Aspects[1].Verdict!.Label);

        // A two-class model has no Neutral to give: its own verdict stands.
        var binary = await AnalyzeAsync("物流还行");
        Assert.NotEqual(LabelSet.Neutral, binary.Aspects[0].Verdict!.Label);
    }

    [Fact]
    public async Task An_aspect_judged_both_ways_is_neutral_on_a_three_class_model()
    {
        // 物流好好 is clearly Positive (0.79 on the three-class model) and the clause after it, said of 物流 too, clearly
        // Negative: the aspect is in conflict. Its spans are the praise and the blame, in text order.
        const string text = "物流好好，但是差差";
        using var engine = PolarityModel.Engine(neutral: true);
        var analysis = (await TextAnalyzer.AnalyzeAsync(engine, [text], Aspects, cancellationToken: TestContext.Current.CancellationToken))[0];
        Assert.Equal(LabelSet.Neutral, analysis.Aspects[0].Verdict!.Label);
        Assert.Equal(["物流好好", "差差"], analysis.Aspects[0].Spans.Select(s => text[s.Start..s.End]));
        // The clause after the mention is classified once, as a clause: the opinion costs no prediction of its own.
        Assert.Equal(1 + 2 + 2, analysis.Predictions);

        // One side only clearly: that side stands (物流好 is 0.58 Positive, under the threshold).
        var weak = (await TextAnalyzer.AnalyzeAsync(engine, ["物流好，但是差差"], Aspects, cancellationToken: TestContext.Current.CancellationToken))[0];
        Assert.Equal(LabelSet.Negative, weak.Aspects[0].Verdict!.Label);

        // A two-class model has no Neutral: the strongest, latest opinion stands, and is its one span.
        var binary = (await AnalyzeAsync(text)).Aspects[0];
        Assert.Equal(LabelSet.Negative, binary.Verdict!.Label);
        Assert.Equal(["差差"], binary.Spans.Select(s => text[s.Start..s.End]));
    }

    [Fact]
    public async Task ClausesAreClassifiedWithoutTheirContrastMarker()
    {
        // The model reads 惜 as negative: 可惜好 would be even, 好 alone is positive.
        var analysis = await AnalyzeAsync("物流差，可惜好", [new Aspect("物流", [])]);
        Assert.Equal(PolarityModel.Positive("好"), analysis.Sentences[1].Verdict.Probabilities[1], 5);
        Assert.Equal((4, 7), (analysis.Sentences[1].Start, analysis.Sentences[1].End));
    }

    [Fact]
    public async Task TheCostIsBoundedForLongTexts()
    {
        // Every opinion differs (物流0很差, 价格1很好, …), so they fill MaxOpinions.
        var text = string.Join("，", Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? $"物流{i}很差" : $"价格{i}很好"));
        var analysis = await AnalyzeAsync(text);

        Assert.Equal(TextAnalyzer.MaxClauses, analysis.Sentences.Count);
        Assert.Equal(0, analysis.Sentences[0].Start);
        Assert.Equal(text.Length, analysis.Sentences[^1].End);
        Assert.Equal(TextAnalyzer.MaxPredictionsPerText, analysis.Predictions);
        Assert.InRange(analysis.Evidence.Count, 1, TextAnalyzer.MaxEvidence);
    }

    [Fact]
    public async Task TextsOfACallAreAnsweredInOrder()
    {
        using var engine = PolarityModel.Engine();
        string[] texts = ["好", "差，物流差", "价格好，但是屏幕差"];
        var analyses = await TextAnalyzer.AnalyzeAsync(engine, texts, Aspects, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(texts, analyses.Select(a => a.Text));
        Assert.Equal([1, 0, 0], analyses.Select(a => a.Verdict.LabelIndex));
    }

    [Fact]
    public async Task ThreeClassModelsAreWeighedTowardsPositiveAndAgainstAnEvenSplit()
    {
        using var engine = PolarityModel.Engine(neutral: true);
        static float Positive(string text)
        {
            float good = text.Count(c => c == '好'), bad = text.Count(c => c is '差' or '惜');
            return MathF.Exp(good) / (MathF.Exp(good) + 1 + MathF.Exp(bad));
        }
        var analyses = await TextAnalyzer.AnalyzeAsync(engine, ["好好，差", "好"], [], cancellationToken: TestContext.Current.CancellationToken);

        var weights = analyses[0].Evidence.ToDictionary(e => "好好，差"[e.Start..e.End], e => e.Weight);
        Assert.Equal(Positive("好好，差") - Positive("，差"), weights["好好"], 5);
        Assert.Equal(Positive("好好，差") - Positive("好好，"), weights["差"], 5);
        Assert.Equal(Positive("好") - 1f / 3, Assert.Single(analyses[1].Evidence).Weight, 5);
        Assert.Equal(3, analyses[0].Verdict.Probabilities.Count);
    }

    [Fact]
    public async Task EmptyTextsAreRefused()
    {
        using var engine = PolarityModel.Engine();
        await Assert.ThrowsAsync<ArgumentException>(() => TextAnalyzer.AnalyzeAsync(engine, ["好", " "], [], cancellationToken: TestContext.Current.CancellationToken));
    }
}
