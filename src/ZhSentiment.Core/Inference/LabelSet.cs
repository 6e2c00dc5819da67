using System.Globalization;
using System.Text.RegularExpressions;

namespace ZhSentiment.Inference;

/// <summary>
/// A model's own labels (in logit order), what each one means, and the binary Positive/Negative decision built on them.
/// </summary>
/// <remarks>
/// Canonical names are <c>Positive</c>, <c>Negative</c> and <c>Neutral</c>. Labels map by meaning, in any case and
/// ignoring a parenthesised suffix (<c>negative (stars 1, 2 and 3)</c>): 正面/积极/正向/好评/positive/pos/very positive,
/// 负面/消极/负向/差评/negative/neg/very negative, 中性/中立/neutral/neu, and star ratings (<c>star 1</c>…<c>star 5</c>,
/// <c>1 star</c>, <c>5 stars</c>: 1–2 Negative, 3 Neutral, 4–5 Positive). A set maps when every label does and both
/// polar sides occur. Two-class sets with no meaning (<c>LABEL_0/LABEL_1</c>, <c>0/1</c>) follow the convention of
/// the Chinese sentiment corpora and of <c>transformers</c>' defaults: index 0 is Negative, index 1 Positive. Any
/// other set is served under its own names.
/// </remarks>
public sealed partial class LabelSet
{
    public const string Positive = "Positive", Negative = "Negative", Neutral = "Neutral";

    private LabelSet(string[] modelLabels, string[] names, bool isCanonical, string mapping, string source, bool sigmoid)
    {
        ModelLabels = modelLabels;
        Names = names;
        IsCanonical = isCanonical;
        Mapping = mapping;
        Source = source;
        Sigmoid = sigmoid;
    }

    /// <summary>
    /// True when each class's probability is the sigmoid of its logit, as the HF pipeline scores a model whose
    /// <c>problem_type</c> is <c>multi_label_classification</c> or that has a single output; false for softmax.
    /// </summary>
    public bool Sigmoid { get; }

    /// <summary>The model's own labels in logit order (e.g. 负面, 正面).</summary>
    public IReadOnlyList<string> ModelLabels { get; }

    /// <summary>
    /// The names answered to clients, in logit order: each class's canonical name where the set maps (several classes
    /// may share one, as star ratings do), else the model's own.
    /// </summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether <see cref="Names"/> are canonical (Positive/Negative, and Neutral where the model has it).</summary>
    public bool IsCanonical { get; }

    /// <summary>How the labels were mapped, in one sentence (for <c>/info</c> and the start-up log).</summary>
    public string Mapping { get; }

    /// <summary>Where the labels were read from (e.g. <c>configuration.json model.label2id</c>).</summary>
    public string Source { get; }

    public int Count => ModelLabels.Count;

    /// <param name="modelLabels">The labels in logit order.</param>
    /// <param name="source">Where they were read from, for <see cref="Source"/>.</param>
    /// <param name="multiLabel">The model's <c>problem_type</c> is <c>multi_label_classification</c>: sigmoid scores.</param>
    public static LabelSet FromModelLabels(IReadOnlyList<string> modelLabels, string source = "the model", bool multiLabel = false)
    {
        if (modelLabels.Count < 1) throw new ArgumentException("A classifier needs at least one label.", nameof(modelLabels));
        var labels = modelLabels.ToArray();
        bool sigmoid = multiLabel || labels.Length == 1;
        string scores = sigmoid ? "; scores are sigmoids" : "";
        var names = labels.Select(ByMeaning).ToArray();
        // A single output is the probability of its own label: Positive (or Negative) above one half, the other side below.
        bool polar = labels.Length == 1 ? names[0] is Positive or Negative : names.Contains(Positive) && names.Contains(Negative);
        if (names.All(n => n is not null) && polar)
        {
            string pairs = string.Join(", ", labels.Select((l, i) => $"{l} → {names[i]}"));
            return new LabelSet(labels, names!, true, $"by meaning: {pairs}{scores}", source, sigmoid);
        }

        if (labels.Length == 2 && IsPlaceholder(labels[0], 0) && IsPlaceholder(labels[1], 1))
            return new LabelSet(labels, [Negative, Positive], true,
                $"by convention: the labels ({labels[0]}, {labels[1]}) carry no meaning, so index 0 is Negative and 1 Positive{scores}", source, sigmoid);

        return new LabelSet(labels, labels, false,
            $"none: the labels ({string.Join(", ", labels)}) have no sentiment meaning, so answers use the model's own names{scores}", source, sigmoid);
    }

    /// <summary>
    /// The binary verdict: for a canonical set, the polar side (Positive or Negative) whose classes' probabilities sum
    /// higher, and its share of both sides' sums (Neutral classes count for neither side, so the score is the
    /// probability of that side when the answer must be one of the two; a two-class model's is its class probability).
    /// For a set that does not map, the top class.
    /// </summary>
    public (string Label, float Score) Polarity(IReadOnlyList<float> probabilities, int top)
    {
        if (!IsCanonical) return (Names[top], probabilities[top]);
        if (Count == 1)
        {
            float p = probabilities[0];
            string other = Names[0] == Positive ? Negative : Positive;
            return p >= 0.5f ? (Names[0], p) : (other, 1 - p);
        }
        float positive = 0, negative = 0;
        for (int i = 0; i < Names.Count; i++)
        {
            if (Names[i] == Positive) positive += probabilities[i];
            else if (Names[i] == Negative) negative += probabilities[i];
        }
        // On an exact tie the top class decides, so a two-class model answers exactly as its argmax.
        bool isPositive = positive > negative || (positive == negative && Names[top] == Positive);
        float polar = positive + negative;
        if (polar <= 0) return (isPositive ? Positive : Negative, 0.5f);
        // Exact for two classes (the sum is one), a share of the polar mass otherwise.
        float share = (isPositive ? positive : negative) / polar;
        return (isPositive ? Positive : Negative, Count == 2 ? (isPositive ? positive : negative) : share);
    }

    private static string? ByMeaning(string label)
    {
        string l = Suffix().Replace(label, "").Trim().ToLowerInvariant();
        var star = Star().Match(l);
        if (star.Success)
            return int.Parse(star.Groups["n"].Value, CultureInfo.InvariantCulture) switch { <= 2 => Negative, 3 => Neutral, _ => Positive };
        return l switch
        {
            "正面" or "积极" or "正向" or "好评" or "positive" or "pos" or "very positive" => Positive,
            "负面" or "消极" or "负向" or "差评" or "negative" or "neg" or "very negative" => Negative,
            "中性" or "中立" or "neutral" or "neu" => Neutral,
            _ => null,
        };
    }

    private static bool IsPlaceholder(string label, int index)
    {
        var l = label.Trim();
        return l == index.ToString(CultureInfo.InvariantCulture)
            || string.Equals(l, "LABEL_" + index, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A trailing parenthesised note, as in uer's <c>negative (stars 1, 2 and 3)</c>.</summary>
    [GeneratedRegex(@"\s*[(（][^()（）]*[)）]\s*$")]
    private static partial Regex Suffix();

    /// <summary><c>star 4</c>, <c>4 star</c>, <c>4 stars</c>, <c>4-star</c>.</summary>
    [GeneratedRegex(@"^(?:stars?[\s_-]*(?<n>[1-5])|(?<n>[1-5])[\s_-]*stars?)$")]
    private static partial Regex Star();
}
