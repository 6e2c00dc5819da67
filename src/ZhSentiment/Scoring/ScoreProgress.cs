namespace ZhSentiment.Scoring;

/// <summary>How far a scoring run is: rows written, and bytes of the input read out of its size (null when unknown).</summary>
internal readonly record struct ScoreProgress(long Rows, long BytesRead, long? TotalBytes);
