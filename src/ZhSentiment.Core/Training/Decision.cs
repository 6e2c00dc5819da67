using ZhSentiment.Inference;

namespace ZhSentiment.Training;

/// <summary>
/// A model's answer in a labelled dataset's terms: on a two-class file the binary answer of <c>/predict</c>
/// (<see cref="LabelSet.Binary"/>), on a three-class file the three-way answer of <c>/v1/sentiment</c> (<see cref="LabelSet.ThreeWay"/>).
/// </summary>
public static class Decision
{
    /// <summary>The predicted index in <paramref name="datasetLabels"/> and the probability the model gives it.</summary>
    public static (int Label, float Confidence) Predict(LabelSet model, IReadOnlyList<float> probabilities, IReadOnlyList<string> datasetLabels)
    {
        var p = probabilities as float[] ?? [.. probabilities];
        if (datasetLabels.Count == 2)
        {
            var (polarity, score) = model.Binary(p);
            return (polarity == LabelSet.Positive ? 1 : 0, score);
        }
        var (label, confidence) = model.ThreeWay(p);
        int index = label switch
        {
            LabelSet.Negative => 0,
            LabelSet.Neutral => 1,
            LabelSet.Positive => 2,
            var other => throw new ArgumentException($"The model's label '{other}' is not Negative, Neutral or Positive."),
        };
        return (index, confidence);
    }

    /// <summary>Checks that <paramref name="model"/> can be measured on a dataset with <paramref name="datasetLabels"/>.</summary>
    public static string? Incompatibility(LabelSet model, IReadOnlyList<string> datasetLabels)
    {
        if (!model.IsCanonical)
            return $"labels {string.Join("/", model.ModelLabels)} are not a positive/negative pair, which eval compares with";
        if (datasetLabels.Count == 3 && !model.HasNeutral)
            return $"labels {string.Join("/", model.ModelLabels)} have no neutral class, which a three-class file needs";
        return null;
    }
}
