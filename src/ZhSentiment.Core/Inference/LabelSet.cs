namespace ZhSentiment.Inference;

/// <summary>
/// A model's own labels (its <c>id2label</c>, in logit order) and their canonical names.
/// </summary>
/// <remarks>
/// Canonical names are <c>Positive</c>, <c>Negative</c> and <c>Neutral</c>. Labels map by meaning (正面/积极/positive/pos,
/// 负面/消极/negative/neg, 中性/neutral/neu, in any case). Two-class sets with no meaning (<c>LABEL_0/LABEL_1</c>,
/// <c>0/1</c>) follow the convention of the Chinese sentiment corpora and of <c>transformers</c>' defaults: index 0 is
/// Negative, index 1 Positive. A set in which any label cannot be mapped is served under its own names.
/// </remarks>
public sealed class LabelSet
{
    public const string Positive = "Positive", Negative = "Negative", Neutral = "Neutral";

    private LabelSet(string[] modelLabels, string[] names, bool isCanonical)
    {
        ModelLabels = modelLabels;
        Names = names;
        IsCanonical = isCanonical;
    }

    /// <summary>The model's own labels in logit order (e.g. 负面, 正面).</summary>
    public IReadOnlyList<string> ModelLabels { get; }

    /// <summary>The names answered to clients, in logit order: canonical where the set maps, else the model's own.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether <see cref="Names"/> are canonical (Positive/Negative[/Neutral]).</summary>
    public bool IsCanonical { get; }

    public int Count => ModelLabels.Count;

    /// <summary>
    /// The probability of Positive against Negative alone: the Positive classes' probabilities over those of both
    /// polar sides, Neutral left out. Above one half means the binary verdict is Positive. Needs a canonical set.
    /// </summary>
    public float PositiveShare(IReadOnlyList<float> probabilities)
    {
        double positive = 0, negative = 0;
        for (int i = 0; i < Names.Count; i++)
        {
            if (Names[i] == Positive) positive += probabilities[i];
            else if (Names[i] == Negative) negative += probabilities[i];
        }
        return positive + negative > 0 ? (float)(positive / (positive + negative)) : 0.5f;
    }

    public static LabelSet FromModelLabels(IReadOnlyList<string> modelLabels)
    {
        if (modelLabels.Count < 2) throw new ArgumentException("A classifier needs at least two labels.", nameof(modelLabels));
        var labels = modelLabels.ToArray();
        var names = new string[labels.Length];
        bool all = true;
        for (int i = 0; i < labels.Length; i++)
        {
            var name = ByMeaning(labels[i]);
            if (name is null) { all = false; break; }
            names[i] = name;
        }
        if (all && names.Distinct().Count() == names.Length) return new LabelSet(labels, names, true);

        if (labels.Length == 2 && IsPlaceholder(labels[0], 0) && IsPlaceholder(labels[1], 1))
            return new LabelSet(labels, [Negative, Positive], true);

        return new LabelSet(labels, labels, false);
    }

    private static string? ByMeaning(string label) => label.Trim().ToLowerInvariant() switch
    {
        "正面" or "积极" or "正向" or "positive" or "pos" => Positive,
        "负面" or "消极" or "负向" or "negative" or "neg" => Negative,
        "中性" or "neutral" or "neu" => Neutral,
        _ => null,
    };

    private static bool IsPlaceholder(string label, int index)
    {
        var l = label.Trim();
        return l == index.ToString(System.Globalization.CultureInfo.InvariantCulture)
            || string.Equals(l, "LABEL_" + index, StringComparison.OrdinalIgnoreCase);
    }
}
