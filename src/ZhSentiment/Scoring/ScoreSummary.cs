using ZhSentiment.Data;

namespace ZhSentiment.Scoring;

/// <summary>The outcome of a scoring run.</summary>
internal sealed class ScoreSummary
{
    /// <summary>How many line numbers of unscored rows are kept for the summary.</summary>
    public const int MaxErrorLines = 20;

    private readonly List<long> _errorLines = [];

    /// <summary>Rows written, including those taken over from a resumed partial output.</summary>
    public long Rows { get; set; }

    /// <summary>Rows taken over, verified, from the partial output of an interrupted run.</summary>
    public long ResumedRows { get; set; }

    /// <summary>Rows written with an error instead of a score.</summary>
    public long Errors { get; private set; }

    /// <summary>Source lines of the first <see cref="MaxErrorLines"/> unscored rows.</summary>
    public IReadOnlyList<long> ErrorLines => _errorLines;

    public SourceEncoding Encoding { get; set; }

    /// <summary>Lines of a UTF-8 input decoded as GB18030.</summary>
    public long Gb18030Lines { get; set; }

    /// <summary>JSON Lines rows whose keys, absent from the first row, have no column in the CSV/TSV output.</summary>
    public long RowsWithDroppedKeys { get; set; }

    /// <summary>Values whose tabs or line breaks were written as spaces in a TSV output.</summary>
    public long FlattenedValues { get; set; }

    public TimeSpan Elapsed { get; set; }

    public void AddError(long line)
    {
        Errors++;
        if (_errorLines.Count < MaxErrorLines) _errorLines.Add(line);
    }
}
