namespace ZhSentiment.Training;

/// <summary>Precision, recall and F1 of one label, over <see cref="Support"/> texts that carry it.</summary>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);

/// <summary>Accuracy on the texts of one <c>source</c>.</summary>
public sealed record SourceMetrics(string Source, int Count, int Correct)
{
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;
}

/// <summary>How well predicted labels match the gold ones: accuracy, macro-F1, per-label figures, confusion matrix, per-source accuracy.</summary>
public sealed record ClassificationMetrics
{
    public required int Count { get; init; }
    public required double Accuracy { get; init; }
    public required double MacroF1 { get; init; }
    public required IReadOnlyList<ClassMetrics> Classes { get; init; }

    /// <summary><c>Confusion[gold][predicted]</c>, in label order.</summary>
    public required int[][] Confusion { get; init; }

    /// <summary>Per-source accuracy, by source name; empty when the texts carry no source.</summary>
    public required IReadOnlyList<SourceMetrics> Sources { get; init; }

    public static ClassificationMetrics Compute(IReadOnlyList<string> labels, IReadOnlyList<int> gold, IReadOnlyList<int> predicted,
        IReadOnlyList<string?>? sources = null)
    {
        if (gold.Count != predicted.Count || (sources is not null && sources.Count != gold.Count))
            throw new ArgumentException("Gold labels, predictions and sources must have the same length.");
        int k = labels.Count;
        var confusion = new int[k][];
        for (int i = 0; i < k; i++) confusion[i] = new int[k];
        var bySource = new SortedDictionary<string, (int Count, int Correct)>(StringComparer.Ordinal);
        int correct = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            confusion[gold[i]][predicted[i]]++;
            bool hit = gold[i] == predicted[i];
            if (hit) correct++;
            if (sources?[i] is { } source)
            {
                var (count, right) = bySource.GetValueOrDefault(source);
                bySource[source] = (count + 1, right + (hit ? 1 : 0));
            }
        }
        var classes = new ClassMetrics[k];
        for (int c = 0; c < k; c++)
        {
            int tp = confusion[c][c], support = confusion[c].Sum(), predictedAs = 0;
            for (int g = 0; g < k; g++) predictedAs += confusion[g][c];
            double precision = predictedAs == 0 ? 0 : (double)tp / predictedAs;
            double recall = support == 0 ? 0 : (double)tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassMetrics(labels[c], precision, recall, f1, support);
        }
        return new ClassificationMetrics
        {
            Count = gold.Count,
            Accuracy = gold.Count == 0 ? 0 : (double)correct / gold.Count,
            MacroF1 = classes.Average(c => c.F1),
            Classes = classes,
            Confusion = confusion,
            Sources = [.. bySource.Select(s => new SourceMetrics(s.Key, s.Value.Count, s.Value.Correct))],
        };
    }
}
