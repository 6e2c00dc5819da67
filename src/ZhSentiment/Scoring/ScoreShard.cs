using System.Globalization;
using System.Text.RegularExpressions;

namespace ZhSentiment.Scoring;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> of a scoring run: the input records whose ordinal (0-based, every
/// record counted, unparsable ones too) modulo <see cref="Count"/> is <see cref="Index"/>. Every shard reads the whole
/// input, so line numbers, the encoding and the columns are those of a single run and only the model's work is
/// divided. A shard writes its rows, in input order, to a part file named after the final output
/// (<c>scored.part-2-of-4.csv</c>); <see cref="PartMerger"/> deals the parts' rows back out in turn.
/// </summary>
internal readonly partial record struct ScoreShard(int Index, int Count)
{
    /// <summary>The variable a Kubernetes Indexed Job sets in each pod: the pod's completion index.</summary>
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>The number of shards for <c>--shard auto</c>: the Job's <c>completions</c>, which Kubernetes does not pass on by itself.</summary>
    public const string CountVariable = "ZHSENTI_SHARD_COUNT";

    public bool Takes(long ordinal) => ordinal % Count == Index;

    /// <summary>The part file of this shard for the final output <paramref name="output"/>: NAME.part-INDEX-of-COUNT.EXT beside it.</summary>
    public string PartPath(string output) =>
        Path.Combine(Path.GetDirectoryName(output) ?? "", string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileNameWithoutExtension(output)}.part-{Index}-of-{Count}{Path.GetExtension(output)}"));

    /// <summary>The shard a part file's name says it holds, or null.</summary>
    public static ScoreShard? OfPart(string path)
    {
        var match = PartName().Match(Path.GetFileName(path));
        return match.Success && Create(match.Groups[1].Value, match.Groups[2].Value) is { } shard ? shard : null;
    }

    /// <summary>
    /// INDEX/COUNT, or <c>auto</c>: INDEX from <see cref="IndexVariable"/> and COUNT from <see cref="CountVariable"/>.
    /// </summary>
    /// <exception cref="ScoreException">The value, or the environment it points to, does not name a shard.</exception>
    public static ScoreShard Parse(string value, Func<string, string?> environment)
    {
        if (value == "auto")
        {
            string? index = environment(IndexVariable), count = environment(CountVariable);
            if (index is null || count is null)
                throw new ScoreException($"--shard auto needs {IndexVariable} and {CountVariable} in the environment (a Kubernetes Indexed Job sets the first; set the second to its completions)");
            return Create(index, count) ?? throw new ScoreException($"--shard auto: {IndexVariable}={index} and {CountVariable}={count} do not name a shard (0 <= index < count)");
        }
        int slash = value.IndexOf('/');
        return (slash > 0 ? Create(value[..slash], value[(slash + 1)..]) : null)
            ?? throw new ScoreException($"--shard must be INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4), or auto, not '{value}'");
    }

    private static ScoreShard? Create(string index, string count) =>
        int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int i)
        && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && i < n
            ? new ScoreShard(i, n) : null;

    [GeneratedRegex(@"\.part-(\d+)-of-(\d+)(\.[^.]*)?$")]
    private static partial Regex PartName();
}
