using ZhSentiment.Inference;

namespace ZhSentiment.Training;

/// <summary>
/// A model's answer in a labelled dataset's terms: on a two-class file the binary answer of <c>/predict</c>
/// (<see cref="LabelSet.Polarity"/>), on a three-class file the most probable of 负面/中性/正面.
/// </summary>
public static class Decision
{
    /// <summary>The predicted index in <paramref name="datasetLabels"/> and the probability the model gives it.</summary>
    public static (int Label, float Confidence) Predict(LabelSet model, IReadOnlyList<float> probabilities, IReadOnlyList<string> datasetLabels)
    {
        int best = 0;
        for (int i = 1; i < probabilities.Count; i++) if (probabilities[i] > probabilities[best]) best = i;
        if (datasetLabels.Count == 2)
        {
            var (polarity, score) = model.Polarity(probabilities, best);
            return (polarity == LabelSet.Positive ? 1 : 0, score);
        }
        int label = model.Names[best] switch
        {
            LabelSet.Negative => 0,
            LabelSet.Neutral => 1,
            LabelSet.Positive => 2,
            var other => throw new ArgumentException($"The model's label '{other}' is not Negative, Neutral or Positive."),
        };
        return (label, probabilities[best]);
    }

    /// <summary>Checks that <paramref name="model"/> can be measured on a dataset with <paramref name="datasetLabels"/>.</summary>
    public static string? Incompatibility(LabelSet model, IReadOnlyList<string> datasetLabels)
    {
        if (!model.IsCanonical || !model.Names.Contains(LabelSet.Positive) || !model.Names.Contains(LabelSet.Negative))
            return $"labels {string.Join("/", model.ModelLabels)} are not a positive/negative pair, which eval compares with";
        if (datasetLabels.Count == 3 && !model.Names.Contains(LabelSet.Neutral))
            return $"labels {string.Join("/", model.ModelLabels)} have no neutral class, which a three-class file needs";
        return null;
    }
}
