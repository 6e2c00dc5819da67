namespace ZhSentiment.Analysis;

/// <summary>One labelled text of an aspect evaluation set: its preset, and the preset's aspects it talks about with their polarity.</summary>
public sealed record AspectExample(int Line, string Preset, string Text, IReadOnlyDictionary<string, string> Gold);

/// <summary>Mention precision/recall/F1 and aspect-polarity accuracy of analyses against gold (text, aspect, polarity) triples.</summary>
public sealed class AspectEvaluation
{
    public int Texts { get; private set; }
    public int Triples { get; private set; }
    public int TruePositives { get; private set; }
    public int FalsePositives { get; private set; }
    public int FalseNegatives { get; private set; }

    /// <summary>Gold triples whose aspect was found and given the gold polarity.</summary>
    public int PolarityCorrect { get; private set; }

    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Polarity accuracy on the gold triples whose aspect was found.</summary>
    public double PolarityAccuracy => Ratio(PolarityCorrect, TruePositives);

    /// <summary>Polarity accuracy on all gold triples: a missed aspect counts as wrong.</summary>
    public double EndToEndAccuracy => Ratio(PolarityCorrect, Triples);

    /// <summary>Counts one text. <paramref name="gold"/> maps aspect names to canonical labels; unmentioned aspects are absent.</summary>
    public void Add(IReadOnlyDictionary<string, string> gold, IEnumerable<(string Name, string? Label)> predicted)
    {
        Texts++;
        Triples += gold.Count;
        var found = new HashSet<string>();
        foreach (var (name, label) in predicted)
        {
            if (label is null) continue;
            found.Add(name);
            if (!gold.TryGetValue(name, out var expected)) FalsePositives++;
            else
            {
                TruePositives++;
                if (expected == label) PolarityCorrect++;
            }
        }
        FalseNegatives += gold.Keys.Count(name => !found.Contains(name));
    }

    /// <summary>
    /// Reads an evaluation file: TSV with a header, columns <c>preset</c>, <c>text</c> and <c>aspects</c>
    /// (<c>物流:负面;价格:正面</c>, empty when the text mentions none of the preset's aspects). Polarities are 正面/负面/中性
    /// or Positive/Negative/Neutral.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is malformed (the message names it).</exception>
    public static List<AspectExample> Read(string path)
    {
        var examples = new List<AspectExample>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (++number == 1 || string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split('\t');
            if (fields.Length != 3) throw new InvalidDataException($"{path}:{number}: expected 3 tab-separated fields (preset, text, aspects), found {fields.Length}");
            var gold = new Dictionary<string, string>();
            foreach (var pair in fields[2].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split(':');
                var label = parts.Length == 2 ? Inference.LabelMeaning.Sentiment(parts[1]) : null;
                if (label is null || !gold.TryAdd(parts[0].Trim(), label))
                    throw new InvalidDataException($"{path}:{number}: '{pair}' is not ASPECT:POLARITY (正面/负面/中性), or the aspect is listed twice");
            }
            examples.Add(new AspectExample(number, fields[0].Trim(), fields[1], gold));
        }
        return examples;
    }

    private static double Ratio(int a, int b) => b == 0 ? 0 : (double)a / b;
}
