namespace ZhSentiment.Inference;

/// <summary>The model's verdict on one text, every answer taken from its <see cref="LabelSet"/>'s rule.</summary>
public sealed class SentimentResult
{
    internal SentimentResult(LabelSet labels, float[] probabilities, float[] logits, int tokens, int windows, TimeSpan inferenceTime)
    {
        Labels = labels;
        LabelIndex = labels.SentimentHead.Top(probabilities);
        var (binary, threeWay) = labels.Answers(probabilities);
        (Label, Score) = threeWay;
        (Polarity, PolarityScore) = binary;
        EmotionIndex = labels.TopEmotion(probabilities);
        Probabilities = probabilities;
        Logits = logits;
        Tokens = tokens;
        Windows = windows;
        InferenceTime = inferenceTime;
    }

    /// <summary>The label set the answers were read from.</summary>
    public LabelSet Labels { get; }

    /// <summary>Index of the sentiment head's most probable class, in the model's label order.</summary>
    public int LabelIndex { get; }

    /// <summary>
    /// The three-way verdict of <c>/v1/sentiment</c>, <c>score</c> and the page (<see cref="LabelSet.ThreeWay"/>):
    /// Positive, Negative or Neutral, or the model's own top label where its labels do not map.
    /// </summary>
    public string Label { get; }

    /// <summary>Probability of <see cref="Label"/>: the mass of its side.</summary>
    public float Score { get; }

    /// <summary>
    /// The binary verdict of <c>/predict</c> (<see cref="LabelSet.Binary"/>): Positive or Negative, summing each polar
    /// side's classes; the top class's own name where the model's labels do not map.
    /// </summary>
    public string Polarity { get; }

    /// <summary>Probability of <see cref="Polarity"/> against the other polar side.</summary>
    public float PolarityScore { get; }

    /// <summary>The model's own name for the sentiment head's most probable class (e.g. 正面, star 5).</summary>
    public string ModelLabel => Labels.ModelLabels[LabelIndex];

    /// <summary>Index of the most probable emotion in the model's label order; −1 when the model has no emotion head.</summary>
    public int EmotionIndex { get; }

    /// <summary>The most probable emotion (anger, fear…); null when the model has no emotion head.</summary>
    public string? Emotion => EmotionIndex < 0 ? null : Labels.Names[EmotionIndex];

    /// <summary>The score of <see cref="Emotion"/>; 0 when the model has no emotion head.</summary>
    public float EmotionScore => EmotionIndex < 0 ? 0 : Probabilities[EmotionIndex];

    /// <summary>Class probabilities in the model's label order, each head's on its own (combined over windows for long texts, see <see cref="WindowCombiner"/>).</summary>
    public IReadOnlyList<float> Probabilities { get; }

    /// <summary>Logits in the model's label order (combined over windows for long texts, see <see cref="WindowCombiner"/>).</summary>
    public IReadOnlyList<float> Logits { get; }

    /// <summary>Content tokens the model read, special tokens excluded.</summary>
    public int Tokens { get; }

    /// <summary>Model windows the text was split into.</summary>
    public int Windows { get; }

    /// <summary>Model time of the batches that carried this text (shared with the other texts in them).</summary>
    public TimeSpan InferenceTime { get; }
}
