using ZhSentiment.Analysis;
using ZhSentiment.Data;

namespace ZhSentiment.Scoring;

/// <summary>What <see cref="FileScorer"/> scores and where it writes.</summary>
internal sealed record ScoreOptions
{
    /// <summary>The input file, or "-" for standard input.</summary>
    public required string Input { get; init; }

    /// <summary>The output file, or "-" for standard output; with <see cref="Shard"/>, the merged file its part is named after.</summary>
    public required string Output { get; init; }

    /// <summary>Score only this part of the input, into <see cref="ScoreShard.PartPath"/>; null: all of it.</summary>
    public ScoreShard? Shard { get; init; }

    /// <summary>The input's format; null: from its extension.</summary>
    public TableFormat? Format { get; init; }

    /// <summary>The column holding the text; null: as <see cref="ZhSentiment.Data.TextColumn"/> finds it.</summary>
    public string? TextColumn { get; init; }

    public const int DefaultBatchSize = 256;

    /// <summary>Rows per engine request; several requests are in flight at once.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Continue from the partial output of an interrupted run.</summary>
    public bool Resume { get; init; }

    /// <summary>Aspects to look for: an <c>aspect_NAME</c> column each (the label of the clauses that mention it, empty when none do).</summary>
    public IReadOnlyList<Aspect> Aspects { get; init; } = [];

    /// <summary>Add <c>emotion</c>, <c>emotion_score</c> and one <c>emo_NAME</c> column per emotion class of the model.</summary>
    public bool Emotion { get; init; }

    /// <summary>Why these options cannot work, before any model is loaded; null when they can.</summary>
    public string? Problem()
    {
        if (Input != "-" && !File.Exists(Input)) return $"input file '{Input}' does not exist";
        if (BatchSize < 1) return $"--batch-size must be at least 1, not {BatchSize}";
        if (Resume && Output == "-") return "--resume needs an output file, not standard output";
        if (Shard is not null && Output == "-") return "--shard needs an output file to name its part after, not standard output";
        return null;
    }

    /// <summary>The file this run writes: <see cref="Output"/>, or a shard's part file.</summary>
    public string WritePath => Shard?.PartPath(Output) ?? Output;

    /// <summary>The temporary file the output is written to before it is renamed: beside the output, so the rename is atomic.</summary>
    public string PartialPath => WritePath + ".partial";
}
