using System.Text;
using ZhSentiment.Cli;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Training;

/// <summary>The <c>train</c> and <c>eval</c> verbs end to end on generated files.</summary>
public sealed class TrainEvalVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-verbs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteTsv(string name, IEnumerable<ZhSentiment.Training.LabelledExample> rows, string extra = "")
    {
        var text = new StringBuilder("label\tsource\ttext\n");
        foreach (var row in rows) text.Append(row.Label == 1 ? "正面" : "负面").Append('\t').Append(row.Source).Append('\t').Append(row.Text).Append('\n');
        text.Append(extra);
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public async Task Train_writes_a_model_that_eval_and_the_engine_load()
    {
        var train = WriteTsv("train.tsv", TestData.Generate(800, seed: 21), extra: "perhaps\tx\t不知道\n");
        var dev = WriteTsv("dev.tsv", TestData.Generate(100, seed: 22));
        var model = Path.Combine(_dir, "model");

        Assert.Equal(0, await CommandLine.RunAsync(["train", "--data", train, "--dev", dev, "--output", model, "--seed", "3", "--epochs", "3", "--dim", "4"]));
        Assert.Equal(0, await CommandLine.RunAsync(["eval", "--data", dev, "--model", model, "--json"]));

        using var engine = ModelLoader.Load(model, new ModelLoadOptions { Threads = 1 });
        Assert.Equal(["负面", "正面"], engine.Labels.ModelLabels);
    }

    [Fact]
    public async Task Missing_files_and_models_fail_with_exit_code_1()
    {
        var data = WriteTsv("d.tsv", TestData.Generate(10, seed: 23));
        Assert.Equal(1, await CommandLine.RunAsync(["train", "--data", Path.Combine(_dir, "none.tsv"), "--output", Path.Combine(_dir, "m")]));
        Assert.Equal(1, await CommandLine.RunAsync(["eval", "--data", data, "--model", Path.Combine(_dir, "no-model")]));
    }
}
