namespace ZhSentiment.Inference;

/// <summary>What a head's labels name.</summary>
public enum LabelTask
{
    /// <summary>Positive/Negative (and Neutral): sentiment labels, star ratings, or the LABEL_0/LABEL_1 convention.</summary>
    Sentiment,

    /// <summary>Emotions (<see cref="LabelMeaning.Emotions"/>).</summary>
    Emotion,

    /// <summary>Labels with no meaning the service knows; answers use the model's own names.</summary>
    Unmapped,
}

/// <summary>
/// One group of a model's outputs scored together: classes <c>Offset</c> to <c>Offset + Count − 1</c> of its logits,
/// one softmax over them, or each its own sigmoid. Published checkpoints have one head; the shipped compact model has a
/// sentiment head and an emotion head.
/// </summary>
public sealed record LabelHead(int Offset, int Count, LabelTask Task, bool Sigmoid)
{
    public int End => Offset + Count;

    /// <summary>The index of the head's most probable class (the first on a tie).</summary>
    public int Top(ReadOnlySpan<float> probabilities)
    {
        int best = Offset;
        for (int i = Offset + 1; i < End; i++) if (probabilities[i] > probabilities[best]) best = i;
        return best;
    }
}
