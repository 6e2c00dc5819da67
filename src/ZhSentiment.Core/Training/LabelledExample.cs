namespace ZhSentiment.Training;

/// <summary>One labelled text: its label index (0 negative, 1 positive), optional origin, and its 1-based line in the file.</summary>
public sealed record LabelledExample(string Text, int Label, string? Source, long Line);
