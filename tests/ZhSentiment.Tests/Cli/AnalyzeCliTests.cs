using System.Text.Json;

namespace ZhSentiment.Tests.Cli;

/// <summary><c>predict --json --analyze</c>, <c>score --aspects</c> and <c>eval-aspects</c> through the real executable and the shipped model.</summary>
public sealed class AnalyzeCliTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("zhsenti-analyze-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Predict_analyze_writes_the_analyze_object_per_text()
    {
        var run = await Zhsenti.RunAsync("性价比高，但是物流太慢\n", "predict", "--json", "--analyze", "--aspects", "ecommerce");
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var json = JsonDocument.Parse(run.Stdout.Trim());
        var o = json.RootElement;
        Assert.Equal(["text", "label", "score", "probabilities", "sentences", "evidence", "aspects", "mixed", "emotion", "emotion_score"], o.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["性价比高", "但是物流太慢"], o.GetProperty("sentences").EnumerateArray().Select(s => s.GetProperty("text").GetString()));
        var logistics = o.GetProperty("aspects").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "物流");
        Assert.True(logistics.GetProperty("mentioned").GetBoolean());
    }

    [Theory]
    [InlineData("predict --analyze 好", "zhsenti predict: --analyze writes JSON: add --json")]
    [InlineData("predict --json --aspects 电商 好", "zhsenti predict: --aspects needs --analyze")]
    [InlineData("predict --json --analyze --aspects 电影 好", "zhsenti predict: --aspects: '电影' is neither a preset (汽车/car, 电商/ecommerce")]
    [InlineData("score -i {in} -o {out} --aspects 电影", "zhsenti score: --aspects: '电影' is neither a preset")]
    public async Task Unusable_aspect_arguments_exit_1_with_one_line(string command, string message)
    {
        var input = Path.Combine(_temp, "in.csv");
        await File.WriteAllTextAsync(input, "text\n好\n", TestContext.Current.CancellationToken);
        var run = await Zhsenti.RunAsync(null, command.Replace("{in}", input).Replace("{out}", Path.Combine(_temp, "out.csv")).Split(' '));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith(message, run.Stderr.Trim());
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Score_reads_aspects_from_a_lexicon_file()
    {
        var input = Path.Combine(_temp, "in.csv");
        var lexicon = Path.Combine(_temp, "books.tsv");
        await File.WriteAllTextAsync(input, "text\n印刷很清晰，内容空洞\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(lexicon, "印刷\t纸张\n内容\t情节\n装帧\n", TestContext.Current.CancellationToken);

        var run = await Zhsenti.RunAsync(null, "score", "-i", input, "-o", Path.Combine(_temp, "out.csv"), "--aspects", lexicon);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var header = File.ReadLines(Path.Combine(_temp, "out.csv")).First().TrimStart('\uFEFF');
        Assert.EndsWith(",aspect_印刷,aspect_内容,aspect_装帧,mixed,error", header);
    }

    [Fact]
    public async Task Eval_aspects_reports_mention_and_polarity_figures()
    {
        var data = Path.Combine(TestPaths.Fixtures, "aspects", "eval.tsv");
        var run = await Zhsenti.RunAsync(null, "eval-aspects", "--data", data, "--json", "--errors");
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var json = JsonDocument.Parse(run.Stdout);
        var o = json.RootElement;
        Assert.True(o.GetProperty("triples").GetInt32() >= 300);
        Assert.Equal(["电商", "外卖", "酒店", "手机", "汽车", "餐厅"], o.GetProperty("presets").EnumerateArray().Select(p => p.GetProperty("preset").GetString()));
        // Mentions are lexical, so they do not depend on the model; polarity does (README has the current figure).
        Assert.True(o.GetProperty("mention_f1").GetDouble() >= 0.90, $"mention F1 {o.GetProperty("mention_f1")}");
        Assert.True(o.GetProperty("polarity_accuracy").GetDouble() >= 0.75, $"polarity accuracy {o.GetProperty("polarity_accuracy")}");
        // Balanced accuracy beside accuracy, per class, and the figures by length: the short reviews and the 200+ ones.
        Assert.InRange(o.GetProperty("balanced_polarity_accuracy").GetDouble(), 0.5, 1);
        Assert.Equal(["Negative", "Neutral", "Positive"], o.GetProperty("polarity_recall").EnumerateObject().Select(p => p.Name));
        var byLength = o.GetProperty("by_length").EnumerateArray().ToDictionary(b => b.GetProperty("length").GetString()!);
        Assert.Equal(["< 50", ">= 200"], byLength.Keys);
        Assert.True(byLength[">= 200"].GetProperty("texts").GetInt32() >= 150);
        // Floors under the shipped model's figures (short 0.856, long 0.669), so that a change to the analysis that
        // loses them fails here.
        Assert.True(byLength["< 50"].GetProperty("balanced_polarity_accuracy").GetDouble() >= 0.85, "short reviews' balanced accuracy");
        Assert.True(byLength[">= 200"].GetProperty("balanced_polarity_accuracy").GetDouble() >= 0.66, "long reviews' balanced accuracy");
        Assert.Equal(o.GetProperty("triples").GetInt32(), byLength.Values.Sum(b => b.GetProperty("triples").GetInt32()));

        // Each mistake names the opinions its answer came from: words of its text, none for an aspect not found.
        var errors = o.GetProperty("errors").EnumerateArray().ToList();
        Assert.NotEmpty(errors);
        foreach (var e in errors)
        {
            var evidence = e.GetProperty("evidence").EnumerateArray().Select(x => x.GetString()!).ToList();
            Assert.Equal(e.GetProperty("predicted").GetString() == "-", evidence.Count == 0);
            Assert.All(evidence, x => Assert.Contains(x, e.GetProperty("text").GetString()!));
        }
    }
}
