using ZhSentiment.Inference;

namespace ZhSentiment.Training;

/// <summary>
/// A model the engine runs (a BERT checkpoint, an ONNX export, another compact model) scoring training texts for
/// distillation, through <see cref="SentimentEngine.Predict"/> as <c>predict</c> and <c>eval</c> score them: batched,
/// with the model's own long-text handling. Its labels are read by meaning (<see cref="LabelSet"/>), so a teacher
/// answers 正面/负面 in either order, or star ratings, or with a neutral class.
/// </summary>
public sealed class Teacher
{
    /// <summary>
    /// Texts per engine request: enough for the batcher to group windows of like length (it looks 256 ahead), few
    /// enough that progress moves every few seconds with a BERT-base teacher on CPU.
    /// </summary>
    private const int Chunk = 256;

    private readonly SentimentEngine _engine;

    /// <exception cref="ModelFormatException">The model's labels have no positive/negative meaning.</exception>
    public Teacher(SentimentEngine engine)
    {
        var labels = engine.Labels;
        if (!labels.IsCanonical)
            throw new ModelFormatException(engine.Info.Folder,
                $"cannot teach sentiment: its labels ({string.Join(", ", labels.ModelLabels)}) have no positive/negative meaning (teachers need labels such as 负面/正面, negative/neutral/positive or star ratings)");
        _engine = engine;
        HasNeutral = labels.HasNeutral;
    }

    /// <summary>Whether the teacher has a neutral class, and so an opinion on subjectivity.</summary>
    public bool HasNeutral { get; }

    /// <summary>How the teacher's labels were read, in one sentence.</summary>
    public string Mapping => _engine.Labels.Mapping;

    /// <summary>The teacher's opinion of each text, in order; <paramref name="progress"/> gets the number of texts done.</summary>
    public TeacherOpinion[] Score(IReadOnlyList<string> texts, Action<int>? progress = null)
    {
        var opinions = new TeacherOpinion[texts.Count];
        for (int start = 0; start < texts.Count; start += Chunk)
        {
            var chunk = new string[Math.Min(Chunk, texts.Count - start)];
            for (int i = 0; i < chunk.Length; i++) chunk[i] = texts[start + i];
            // One request at a time: the same texts are batched the same way on every run (see DynamicBatcher.Enqueue).
            var results = _engine.Predict(chunk);
            for (int i = 0; i < chunk.Length; i++) opinions[start + i] = Opinion(_engine.Labels, results[i].Probabilities);
            progress?.Invoke(start + chunk.Length);
        }
        return opinions;
    }

    /// <summary>
    /// A canonical label set's probabilities as an opinion: the positive share is <see cref="LabelSet.Binary"/>'s
    /// binary verdict, as <c>/predict</c> answers it, read from the positive side; subjectivity is the share of the
    /// probability outside the neutral classes.
    /// </summary>
    internal static TeacherOpinion Opinion(LabelSet labels, IReadOnlyList<float> probabilities)
    {
        var p = probabilities as float[] ?? [.. probabilities];
        var (label, score) = labels.Binary(p);
        float positive = label == LabelSet.Positive ? score : 1 - score;
        if (!labels.HasNeutral) return new(positive, null);
        var (pos, neg, neutral) = labels.SideSums(p);
        float all = pos + neg + neutral;
        return new(positive, all > 0 ? 1 - neutral / all : 0.5f);
    }
}
