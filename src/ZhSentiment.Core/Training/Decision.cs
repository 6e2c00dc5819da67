using ZhSentiment.Inference;

namespace ZhSentiment.Training;

/// <summary>
/// A model's answer in a labelled dataset's terms: on a two-class file the binary answer of <c>/predict</c>
/// (<see cref="LabelSet.Binary"/>), on a three-class file the three-way answer of <c>/v1/sentiment</c> (<see cref="LabelSet.ThreeWay"/>),
/// on an emotion file (labels that are canonical emotion names, <see cref="LabelMeaning.Emotions"/>) the emotion
/// head's answer (<see cref="LabelSet.EmotionHead"/>), read by canonical name.
/// </summary>
public static class Decision
{
    /// <summary>Whether a dataset's labels are emotions: each a canonical emotion name (<see cref="LabelledDataset.IsEmotion"/>).</summary>
    public static bool IsEmotion(IReadOnlyList<string> datasetLabels) =>
        datasetLabels.Count > 0 && datasetLabels.All(l => LabelMeaning.Emotions.Contains(l));

    /// <summary>The predicted index in <paramref name="datasetLabels"/> and the probability the model gives it.</summary>
    public static (int Label, float Confidence) Predict(LabelSet model, IReadOnlyList<float> probabilities, IReadOnlyList<string> datasetLabels)
    {
        var p = probabilities as float[] ?? [.. probabilities];
        if (IsEmotion(datasetLabels)) return PredictEmotion(model, p, datasetLabels);
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

    /// <summary>
    /// The most probable of the model's emotions that the file has, with its probability among them (renormalised when
    /// the model has emotions the file lacks, as a two-class file reads a three-class model's polar sides only; with the
    /// same emotions it is the model's top emotion and its probability).
    /// </summary>
    private static (int Label, float Confidence) PredictEmotion(LabelSet model, float[] p, IReadOnlyList<string> datasetLabels)
    {
        var head = model.EmotionHead ?? throw new ArgumentException("The model has no emotion head.", nameof(model));
        int best = -1;
        float bestP = -1, sum = 0;
        for (int i = head.Offset; i < head.End; i++)
        {
            int index = IndexOf(datasetLabels, model.Names[i]);
            if (index < 0) continue;
            sum += p[i];
            if (p[i] > bestP) { bestP = p[i]; best = index; }
        }
        if (best < 0) throw new ArgumentException($"The model's emotions share none with the file's ({string.Join(", ", datasetLabels)}).", nameof(datasetLabels));
        return (best, sum > 0 ? bestP / sum : 0);
    }

    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (int i = 0; i < labels.Count; i++) if (labels[i] == label) return i;
        return -1;
    }

    /// <summary>Checks that <paramref name="model"/> can be measured on a dataset with <paramref name="datasetLabels"/>.</summary>
    public static string? Incompatibility(LabelSet model, IReadOnlyList<string> datasetLabels)
    {
        if (IsEmotion(datasetLabels))
        {
            if (model.EmotionHead is not { } head)
                return $"labels {string.Join("/", model.ModelLabels)} have no emotion head, which an emotion file ({string.Join("/", datasetLabels)}) needs";
            if (!Enumerable.Range(head.Offset, head.Count).Any(i => datasetLabels.Contains(model.Names[i])))
                return $"emotions {string.Join("/", Enumerable.Range(head.Offset, head.Count).Select(i => model.Names[i]))} share none with the file's ({string.Join("/", datasetLabels)})";
            return null;
        }
        if (!model.IsCanonical)
            return $"labels {string.Join("/", model.ModelLabels)} are not a positive/negative pair, which eval compares with";
        if (datasetLabels.Count == 3 && !model.HasNeutral)
            return $"labels {string.Join("/", model.ModelLabels)} have no neutral class, which a three-class file needs";
        return null;
    }
}
