namespace ZhSentiment.Training;

/// <summary>One labelled text: its label index (in its dataset's label order), optional origin, and its 1-based line in the file.</summary>
public sealed record LabelledExample(string Text, int Label, string? Source, long Line);
