namespace ZhSentiment.Scoring;

/// <summary>The input or the arguments of a scoring run are unusable; the message is one line for the user.</summary>
internal sealed class ScoreException(string message) : Exception(message);
