namespace ZhSentiment.Inference;

/// <summary>What to do with a text longer than the model's maximum length.</summary>
public enum LongTextMode
{
    /// <summary>Split into overlapping windows and combine their class probabilities (see <see cref="WindowCombiner"/>).</summary>
    Windows,

    /// <summary>Keep the beginning, drop the rest.</summary>
    Truncate,
}

/// <summary>How texts longer than one model window are handled.</summary>
public sealed record LongTextOptions
{
    public LongTextMode Mode { get; init; } = LongTextMode.Windows;

    /// <summary>Tokens shared by consecutive windows; null means a quarter of the window.</summary>
    public int? Overlap { get; init; }

    /// <summary>Upper bound on windows per text, so one huge text cannot monopolise the model.</summary>
    public int MaxWindows { get; init; } = 64;
}
