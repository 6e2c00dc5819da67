using ZhSentiment.Compact;

namespace ZhSentiment.Training;

/// <summary>How <see cref="CompactTrainer"/> trains: the model's shape and the SGD schedule.</summary>
public sealed record CompactTrainerOptions
{
    public CompactConfig Model { get; init; } = new();

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Starting SGD step, decayed linearly to zero over the run.</summary>
    public float LearningRate { get; init; } = 0.5f;

    /// <summary>Multiplies the step of the linear n-gram weights, whose averaged gradients are small.</summary>
    public float LinearStepScale { get; init; } = 1f;

    /// <summary>Multiplies the step of the convolution's filters (larger steps made training diverge on the pool).</summary>
    public float ConvStepScale { get; init; } = 0.05f;

    /// <summary>Seeds the initial embeddings and the order of examples: same data and seed, same model.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How examples of rarer classes are weighed.</summary>
    public ClassWeighting ClassWeighting { get; init; } = ClassWeighting.None;

    /// <summary>
    /// With a teacher, its share of each head's target, the gold label's being the rest: 0.5 trusts both alike. No
    /// pretrained teacher is reachable here to tune it on, and an even blend keeps the gold labels' hold on the training
    /// sources (where a teacher fine-tuned elsewhere may be wrong) while the teacher brings what hard labels cannot: how
    /// sure to be, and a say on texts the corpora label wrongly (lukewarm reviews labelled negative). 1 is teacher only.
    /// </summary>
    public float TeacherWeight { get; init; } = 0.5f;

    /// <summary>Passes over the emotion rows, in the emotion head's own pass after the sentiment heads'.</summary>
    public int EmotionEpochs { get; init; } = 7;

    /// <summary>Multiplies the step of the emotion table's weights (as <see cref="LinearStepScale"/> does the sentiment table's).</summary>
    public float EmotionStepScale { get; init; } = 2f;

    /// <summary>How emotion rows of rarer emotions are weighed; null: as <see cref="ClassWeighting"/> says.</summary>
    public ClassWeighting? EmotionClassWeighting { get; init; }

    /// <summary>Words whose classes the emotion head reads beside the n-grams; <see cref="CompactConfig.EmotionLexiconClasses"/> must match.</summary>
    public EmotionLexicon? EmotionLexicon { get; init; }

    public void Validate()
    {
        if ((EmotionLexicon?.Classes ?? 0) != Model.EmotionLexiconClasses)
            throw new ArgumentException($"The model config names {Model.EmotionLexiconClasses} emotion lexicon classes; the lexicon has {EmotionLexicon?.Classes ?? 0}.", nameof(EmotionLexicon));
        ArgumentOutOfRangeException.ThrowIfLessThan(EmotionEpochs, 1, nameof(EmotionEpochs));
        if (!(EmotionStepScale > 0 && EmotionStepScale <= 10_000)) throw new ArgumentOutOfRangeException(nameof(EmotionStepScale), EmotionStepScale, "The emotion step scale must be in (0, 10000].");
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        if (!(LinearStepScale > 0 && LinearStepScale <= 10_000)) throw new ArgumentOutOfRangeException(nameof(LinearStepScale), LinearStepScale, "The linear step scale must be in (0, 10000].");
        if (!(TeacherWeight is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(TeacherWeight), TeacherWeight, "The teacher weight must be in [0, 1].");
        if (!(LearningRate > 0 && LearningRate <= 10)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be in (0, 10].");
        Model.Validate("training options");
    }
}
