namespace ZhSentiment.Training;

/// <summary>How training weighs examples of classes that are rarer or commoner than others.</summary>
public enum ClassWeighting
{
    /// <summary>Every example counts once.</summary>
    None,

    /// <summary>Each class counts as much as any other over the whole set.</summary>
    Balanced,

    /// <summary>Within each <c>source</c>, each of its classes counts as much as any other (sources keep their size).</summary>
    PerSource,
}

/// <summary>Per-example weights (mean 1) that realise a <see cref="ClassWeighting"/>.</summary>
public static class ClassWeights
{
    public static float[] For(IReadOnlyList<LabelledExample> examples, int labels, ClassWeighting weighting)
    {
        var weights = new float[examples.Count];
        Array.Fill(weights, 1f);
        if (weighting == ClassWeighting.None || examples.Count == 0) return weights;

        string Group(LabelledExample e) => weighting == ClassWeighting.PerSource ? e.Source ?? "" : "";
        var counts = new Dictionary<(string Group, int Label), int>();
        var groupSizes = new Dictionary<string, int>();
        foreach (var e in examples)
        {
            var key = (Group(e), e.Label);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            groupSizes[key.Item1] = groupSizes.GetValueOrDefault(key.Item1) + 1;
        }
        var classesInGroup = counts.Keys.GroupBy(k => k.Group).ToDictionary(g => g.Key, g => g.Count());
        double sum = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            var key = (Group(examples[i]), examples[i].Label);
            // The group's size shared equally among the classes it has.
            weights[i] = (float)((double)groupSizes[key.Item1] / (classesInGroup[key.Item1] * counts[key]));
            sum += weights[i];
        }
        float scale = (float)(examples.Count / sum);
        for (int i = 0; i < weights.Length; i++) weights[i] *= scale;
        return weights;
    }
}
