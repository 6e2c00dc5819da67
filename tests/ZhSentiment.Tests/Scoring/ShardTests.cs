using System.Text;
using ZhSentiment.Scoring;
using ZhSentiment.Tests.Cli;
using ZhSentiment.Tests.Deploy;

namespace ZhSentiment.Tests.Scoring;

/// <summary>
/// <c>zhsenti score --shard</c> and <c>--merge</c> through the real executable: the merged parts are the single run's
/// file, byte for byte, bad rows, GB18030 and line breaks inside values included, and after a shard was killed and resumed.
/// </summary>
public class ShardTests(FixtureBertModel model) : IClassFixture<FixtureBertModel>
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "zhsenti.exe" : "zhsenti");

    static ShardTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private string[] ModelArgs => ["--model", model.Folder, "--cache-dir", model.CacheDirectory];

    /// <summary>
    /// <paramref name="rows"/> records in GB18030 with, among ordinary reviews, a line break and quotes inside a
    /// value, rows with too many fields, empty texts and blank lines, unparsable JSON and an unterminated quote.
    /// </summary>
    internal static byte[] Input(string format, int rows)
    {
        string[] reviews = ["质量很好", "太差了，不推荐", "一般般", "物流很快，包装完好", "非常失望", "满意"];
        var text = new StringBuilder(format switch { "csv" => "id,review\n", "tsv" => "id\treview\n", _ => "" });
        for (int i = 0; i < rows; i++)
        {
            var review = reviews[i % reviews.Length] + i;
            text.Append((format, i % 13) switch
            {
                ("csv", 3) => $"{i},\"{review}\n第二行，\"\"引号\"\"\"\n",
                ("csv", 5) => $"{i},{review},多一列\n",
                ("csv", 7) => $"{i},\n",
                ("tsv", 5) => $"{i}\t{review}\t多一列\n",
                ("tsv", 7) => "\n",
                ("jsonl", 3) => $"{{\"id\":{i},\"review\":\"{review}\\n第二行\",\"stars\":[1,2]}}\n",
                ("jsonl", 5) => $"{{\"id\":{i},\"review\":\n",
                ("jsonl", 7) => $"{{\"id\":{i},\"review\":\"\"}}\n",
                ("jsonl", _) => $"{{\"id\":{i},\"review\":\"{review}\"}}\n",
                (_, _) => $"{i}{(format == "csv" ? ',' : '\t')}{review}\n",
            });
            // Reading goes on at the line after an unterminated quote's.
            if (format == "csv" && i == rows / 2) text.Append($"{i},\"没有结束的引号\n");
        }
        return Encoding.GetEncoding(54936).GetBytes(text.ToString());
    }

    private async Task Score(params string[] args)
    {
        var result = await Zhsenti.RunAsync(null, ["score", .. args, .. ModelArgs]);
        Assert.True(result.ExitCode == 0, $"zhsenti score {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Stderr}");
    }

    private static async Task<Zhsenti.Result> Merge(string output, params string[] parts) =>
        await Zhsenti.RunAsync(null, ["score", "--merge", .. parts, "--output", output]);

    [Theory]
    [InlineData("csv")]
    [InlineData("tsv")]
    [InlineData("jsonl")]
    public async Task Four_shards_merged_are_byte_identical_to_one_run(string format)
    {
        using var dir = new TempFolder();
        await File.WriteAllBytesAsync(dir[$"in.{format}"], Input(format, 2_000));
        await Score("-i", dir[$"in.{format}"], "-o", dir[$"one.{format}"]);
        for (int i = 0; i < 4; i++) await Score("-i", dir[$"in.{format}"], "-o", dir[$"out.{format}"], "--shard", $"{i}/4");

        // Parts named in any order (a shell glob sorts part-10 before part-2).
        var merged = await Merge(dir[$"out.{format}"], [.. new[] { 2, 0, 3, 1 }.Select(i => dir[$"out.part-{i}-of-4.{format}"])]);

        Assert.Equal(0, merged.ExitCode);
        Assert.Contains("4 parts merged", merged.Stderr);
        var one = await File.ReadAllBytesAsync(dir[$"one.{format}"]);
        var mergedBytes = await File.ReadAllBytesAsync(dir[$"out.{format}"]);
        Assert.True(one.AsSpan().SequenceEqual(mergedBytes), $"the merged {format} differs from the single run's");
        // The proof means something only if the input held the hard cases and each part only its share.
        var lines = Encoding.UTF8.GetString(one);
        Assert.Contains(format == "jsonl" ? "invalid JSON" : "found 3", lines);
        Assert.Contains(format == "tsv" ? "blank line" : "empty text", lines);
        if (format != "tsv") Assert.Contains("第二行", lines);
        var part = await File.ReadAllBytesAsync(dir[$"out.part-1-of-4.{format}"]);
        Assert.InRange(part.Length, one.Length / 5, one.Length / 3);
    }

    [Fact]
    public async Task A_shard_killed_mid_run_and_resumed_still_merges_to_the_single_runs_file()
    {
        using var dir = new TempFolder();
        await File.WriteAllBytesAsync(dir["in.csv"], Input("csv", 60_000));
        await Score("-i", dir["in.csv"], "-o", dir["one.csv"]);
        var env = new Dictionary<string, string> { [ScoreShard.CountVariable] = "4" };
        for (int i = 1; i < 4; i++)
        {
            env[ScoreShard.IndexVariable] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var shard = ChildProcess.Start(Executable, ["score", "-i", dir["in.csv"], "-o", dir["out.csv"], "--shard", "auto", .. ModelArgs], env);
            await shard.Process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(shard.Process.ExitCode == 0, shard.Output);
        }

        // Shard 0 on one thread, killed (SIGKILL, as when its pod is lost) once some rows are on disk.
        var partial = dir["out.part-0-of-4.csv.partial"];
        using (var killed = ChildProcess.Start(Executable, ["score", "-i", dir["in.csv"], "-o", dir["out.csv"], "--shard", "0/4", "--threads", "1", .. ModelArgs]))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(File.Exists(partial) && new FileInfo(partial).Length > 100_000) && !killed.Process.HasExited && DateTime.UtcNow < deadline)
                await Task.Delay(5, TestContext.Current.CancellationToken);
            Assert.False(killed.Process.HasExited, $"shard 0 finished before it could be killed:\n{killed.Output}");
            killed.Kill();
        }
        Assert.False(File.Exists(dir["out.part-0-of-4.csv"]));
        var incomplete = await Merge(dir["out.csv"], [.. Enumerable.Range(0, 4).Select(i => dir[$"out.part-{i}-of-4.csv"])]);
        Assert.Equal((1, $"zhsenti score: part file '{dir["out.part-0-of-4.csv"]}' does not exist"), (incomplete.ExitCode, incomplete.Stderr.TrimEnd()));

        var resumed = await Zhsenti.RunAsync(null, ["score", "-i", dir["in.csv"], "-o", dir["out.csv"], "--shard", "0/4", "--resume", .. ModelArgs]);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Matches("resumed after [0-9,]+ rows", resumed.Stderr);
        var merged = await Merge(dir["out.csv"], [.. Enumerable.Range(0, 4).Select(i => dir[$"out.part-{i}-of-4.csv"])]);

        Assert.Equal(0, merged.ExitCode);
        byte[] one = await File.ReadAllBytesAsync(dir["one.csv"]), mergedBytes = await File.ReadAllBytesAsync(dir["out.csv"]);
        Assert.True(one.AsSpan().SequenceEqual(mergedBytes), "the merged file differs from the single run's");
    }

    [Fact]
    public async Task Merge_refuses_parts_that_are_not_one_whole_set()
    {
        using var dir = new TempFolder();
        await File.WriteAllBytesAsync(dir["in.csv"], Input("csv", 40));
        for (int i = 0; i < 3; i++) await Score("-i", dir["in.csv"], "-o", dir["a.csv"], "--shard", $"{i}/3");
        await Score("-i", dir["in.csv"], "-o", dir["b.csv"], "--shard", "0/2");
        var parts = Enumerable.Range(0, 3).Select(i => dir[$"a.part-{i}-of-3.csv"]).ToArray();

        var missing = await Merge(dir["m.csv"], parts[0], parts[1]);
        var twice = await Merge(dir["m.csv"], parts[0], parts[1], parts[1]);
        var unnamed = await Merge(dir["m.csv"], dir["in.csv"]);
        File.Copy(dir["b.part-0-of-2.csv"], parts[2], overwrite: true);
        var mixed = await Merge(dir["m.csv"], parts);

        Assert.Equal($"zhsenti score: '{parts[0]}' is part 0 of 3, but 2 parts were given", missing.Stderr.TrimEnd());
        Assert.Equal($"zhsenti score: '{parts[1]}' and '{parts[1]}' are both part 1", twice.Stderr.TrimEnd());
        Assert.StartsWith($"zhsenti score: '{dir["in.csv"]}' is not named as a part", unnamed.Stderr);
        Assert.StartsWith($"zhsenti score: '{parts[2]}' has more rows than '{parts[0]}' allows", mixed.Stderr);
        Assert.All(new[] { missing, twice, unnamed, mixed }, r => Assert.Equal(1, r.ExitCode));
        Assert.False(File.Exists(dir["m.csv"]));
    }

    [Theory]
    [InlineData("--shard 4/4", "zhsenti score: --shard must be INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4), or auto, not '4/4'")]
    [InlineData("--shard auto", "zhsenti score: --shard auto needs JOB_COMPLETION_INDEX and ZHSENTI_SHARD_COUNT in the environment (a Kubernetes Indexed Job sets the first; set the second to its completions)")]
    [InlineData("--shard 0/2 --merge x.part-0-of-1.csv", "zhsenti score: --merge takes the part files in place of --input and --shard")]
    public async Task Unusable_shard_arguments_exit_1_with_one_line(string args, string expected)
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.csv"], "text\n好\n");
        string[] input = args.Contains("--merge", StringComparison.Ordinal) ? [] : ["-i", dir["in.csv"]];

        var result = await Zhsenti.RunAsync(null, ["score", .. input, "-o", dir["out.csv"], .. args.Split(' ')]);

        Assert.Equal((1, expected), (result.ExitCode, result.Stderr.TrimEnd()));
    }
}
