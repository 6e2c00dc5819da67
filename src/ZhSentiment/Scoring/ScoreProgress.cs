namespace ZhSentiment.Scoring;

/// <summary>
/// How far a scoring run is: rows written (of which <see cref="ResumedRows"/> were taken over from a partial output),
/// and bytes of the input read (<see cref="ResumedBytes"/> of them before this run's own rows) out of its size (null when unknown).
/// </summary>
internal readonly record struct ScoreProgress(long Rows, long ResumedRows, long BytesRead, long ResumedBytes, long? TotalBytes)
{
    /// <summary>Rows per second of this run's own work.</summary>
    public double RowsPerSecond(TimeSpan elapsed) => (Rows - ResumedRows) / Math.Max(elapsed.TotalSeconds, 1e-3);

    /// <summary>Time left, from the pace of this run's own reading through the input; null when the size is unknown.</summary>
    public TimeSpan? Remaining(TimeSpan elapsed)
    {
        if (TotalBytes is not { } total || BytesRead <= ResumedBytes) return null;
        double perByte = elapsed.TotalSeconds / (BytesRead - ResumedBytes);
        return TimeSpan.FromSeconds(Math.Round(Math.Max(0, total - BytesRead) * perByte));
    }
}
