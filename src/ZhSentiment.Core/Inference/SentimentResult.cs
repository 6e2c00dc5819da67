namespace ZhSentiment.Inference;

/// <summary>The model's verdict on one text.</summary>
public sealed class SentimentResult
{
    internal SentimentResult(LabelSet labels, float[] probabilities, float[] logits, int tokens, int windows, TimeSpan inferenceTime)
    {
        int best = 0;
        for (int i = 1; i < probabilities.Length; i++)
            if (probabilities[i] > probabilities[best]) best = i;
        LabelIndex = best;
        Label = labels.Names[best];
        ModelLabel = labels.ModelLabels[best];
        (Polarity, PolarityScore) = labels.Polarity(probabilities, best);
        Probabilities = probabilities;
        Logits = logits;
        Tokens = tokens;
        Windows = windows;
        InferenceTime = inferenceTime;
    }

    /// <summary>Index of the most probable class, in the model's label order.</summary>
    public int LabelIndex { get; }

    /// <summary>The canonical label (Positive/Negative/Neutral), or the model's own where its label set does not map.</summary>
    public string Label { get; }

    /// <summary>
    /// The binary verdict of <c>/predict</c>: Positive or Negative, summing each polar side's classes (a Neutral or
    /// star-rating model decides between its sides); the top class's own name where the model's labels do not map.
    /// </summary>
    public string Polarity { get; }

    /// <summary>Probability of <see cref="Polarity"/> against the other polar side (see <see cref="LabelSet.Polarity"/>).</summary>
    public float PolarityScore { get; }

    /// <summary>The model's own name for the label (e.g. 正面).</summary>
    public string ModelLabel { get; }

    /// <summary>Probability of <see cref="Label"/>.</summary>
    public float Score => Probabilities[LabelIndex];

    /// <summary>Class probabilities in the model's label order (combined over windows for long texts, see <see cref="WindowCombiner"/>).</summary>
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
