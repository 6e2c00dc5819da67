using System.Diagnostics;
using System.Text;
using ZhSentiment.Cli;
using ZhSentiment.Scoring;

namespace ZhSentiment.Tests.Scoring;

public class ScoreCommandTests(FixtureBertModel model) : IClassFixture<FixtureBertModel>
{
    private async Task<(int Exit, string Log)> Run(string input, string output, string? modelFolder = null, string? textColumn = null, int batchSize = 256)
    {
        var log = new StringWriter();
        int exit = await ScoreCommand.RunAsync(new ScoreOptions { Input = input, Output = output, TextColumn = textColumn, BatchSize = batchSize },
            modelFolder ?? model.Folder, model.LoadOptions, log, CancellationToken.None);
        return (exit, log.ToString());
    }

    [Fact]
    public async Task Success_exits_0_with_a_summary_naming_the_unscored_lines()
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.csv"], "text\n很好\n\n太差\n");

        var (exit, log) = await Run(dir["in.csv"], dir["out.csv"]);

        Assert.Equal(0, exit);
        Assert.Contains("3 rows written", log);
        Assert.Contains("1 rows not scored (see their error column), at input lines 3", log);
    }

    [Fact]
    public async Task Unusable_input_or_model_exits_1_with_one_line()
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.csv"], "id,text\n1,好\n");

        var missing = await Run(dir["nope.csv"], dir["out.csv"]);
        var column = await Run(dir["in.csv"], dir["out.csv"], textColumn: "body");
        var badModel = await Run(dir["in.csv"], dir["out.csv"], modelFolder: dir.Path);
        var format = await Run(dir["in.csv"], dir["out.xyz"]);
        var batch = await Run(dir["in.csv"], dir["out.csv"], modelFolder: dir.Path, batchSize: 0);

        Assert.Equal((1, $"zhsenti score: input file '{dir["nope.csv"]}' does not exist"), (missing.Exit, missing.Log.TrimEnd()));
        Assert.Equal((1, $"zhsenti score: '{dir["in.csv"]}': there is no column 'body'; the columns are: id, text"), (column.Exit, column.Log.TrimEnd()));
        Assert.Equal(1, badModel.Exit);
        Assert.StartsWith($"zhsenti score: {dir.Path}", badModel.Log);
        Assert.Contains("config.json", badModel.Log);
        Assert.Single(badModel.Log.TrimEnd().Split('\n'));
        Assert.Equal((1, "zhsenti score: --batch-size must be at least 1, not 0"), (batch.Exit, batch.Log.TrimEnd()));
        // An unknown output extension falls back to the input's format.
        Assert.Equal(0, format.Exit);
        Assert.StartsWith("id,text,label", File.ReadAllText(dir["out.xyz"]).TrimStart('\uFEFF'));
    }

    [Fact]
    public async Task The_executable_scores_standard_input_to_standard_output()
    {
        var zhsenti = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "zhsenti.exe" : "zhsenti");
        var start = new ProcessStartInfo(zhsenti, ["score", "-i", "-", "-o", "-", "--format", "jsonl", "--model", model.Folder, "--cache-dir", model.CacheDirectory])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync("{\"text\":\"很好\"}\n{\"text\":\"\"}\n");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches("^\\{\"text\":\"很好\",\"label\":\"(Positive|Negative)\",\"score\":0\\.\\d+,\"prob_负面\":", lines[0]);
        Assert.Equal("{\"text\":\"\",\"error\":\"line 2: empty text\"}", lines[1]);
        Assert.Contains("2 rows written to standard output", await stderr);
    }
}
