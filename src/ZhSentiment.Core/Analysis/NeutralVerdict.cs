using ZhSentiment.Inference;

namespace ZhSentiment.Analysis;

/// <summary>
/// How aspect analysis answers Neutral for an opinion that judges neither way (<see cref="Lukewarm"/>) or an aspect
/// judged both ways (<see cref="TextAnalyzer"/>: conflicting opinions), on a model with a Neutral class.
/// </summary>
public static class NeutralVerdict
{
    /// <summary>The share of the sentiment head's mass moved to its Neutral classes: above 0.5, so Neutral outweighs either side.</summary>
    public const float Share = 0.6f;

    /// <summary>
    /// The probabilities with <see cref="Share"/> of the sentiment head's mass moved to its Neutral classes (evenly),
    /// so that <see cref="LabelSet.ThreeWay"/> answers Neutral; unchanged for a model without a Neutral class.
    /// </summary>
    public static float[] Apply(LabelSet labels, IReadOnlyList<float> probabilities)
    {
        var p = probabilities.ToArray();
        if (!labels.HasNeutral) return p;
        var head = labels.SentimentHead;
        var neutral = Enumerable.Range(head.Offset, head.Count).Where(i => labels.SideOf(i) == LabelSet.Neutral).ToArray();
        float mass = 0;
        for (int c = head.Offset; c < head.End; c++) mass += p[c];
        for (int c = head.Offset; c < head.End; c++) p[c] *= 1 - Share;
        foreach (var c in neutral) p[c] += Share * mass / neutral.Length;
        return p;
    }
}
