namespace ZhSentiment.Analysis;

/// <summary>One labelled text of an aspect evaluation set: its preset, and the preset's aspects it talks about with their polarity.</summary>
public sealed record AspectExample(int Line, string Preset, string Text, IReadOnlyDictionary<string, string> Gold);

/// <summary>
/// Mention precision/recall/F1 and aspect-polarity accuracy, plain and balanced, of analyses against gold (text, aspect,
/// polarity) triples.
/// </summary>
public sealed class AspectEvaluation
{
    public int Texts { get; private set; }
    public int Triples { get; private set; }
    public int TruePositives { get; private set; }
    public int FalsePositives { get; private set; }
    public int FalseNegatives { get; private set; }

    /// <summary>Gold triples whose aspect was found and given the gold polarity.</summary>
    public int PolarityCorrect { get; private set; }

    private readonly Dictionary<string, (int Found, int Correct)> _byClass = [];

    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Polarity accuracy on the gold triples whose aspect was found.</summary>
    public double PolarityAccuracy => Ratio(PolarityCorrect, TruePositives);

    /// <summary>
    /// The mean of the per-class recalls (<see cref="PolarityRecall"/>) over the gold classes present: what a model that
    /// answers one class for everything cannot game (it scores 1/k for k classes), where plain accuracy rewards the
    /// majority class.
    /// </summary>
    public double BalancedPolarityAccuracy => _byClass.Count == 0 ? 0 : _byClass.Values.Average(c => Ratio(c.Correct, c.Found));

    /// <summary>Per gold polarity: the share of its found triples given that polarity; classes absent from the gold are absent.</summary>
    public IReadOnlyDictionary<string, double> PolarityRecall =>
        _byClass.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => Ratio(c.Value.Correct, c.Value.Found));

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
                var (classFound, classCorrect) = _byClass.GetValueOrDefault(expected);
                _byClass[expected] = (classFound + 1, classCorrect + (expected == label ? 1 : 0));
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

    /// <summary>The length bands <c>eval-aspects</c> reports apart, in characters: short reviews, paragraphs, long reviews (200 and more).</summary>
    public static IReadOnlyList<(int From, string Name)> LengthBands { get; } = [(0, "< 50"), (50, "50-199"), (200, ">= 200")];

    /// <summary>The name of the <see cref="LengthBands"/> band a text falls in (its length in UTF-16 code units, as offsets count).</summary>
    public static string LengthBand(string text) => LengthBands.Last(b => text.Length >= b.From).Name;

    private static double Ratio(int a, int b) => b == 0 ? 0 : (double)a / b;
}
