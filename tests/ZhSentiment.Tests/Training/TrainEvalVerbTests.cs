using System.Text;
using System.Text.Json.Nodes;
using ZhSentiment.Cli;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Training;

/// <summary>The <c>train</c> and <c>eval</c> verbs end to end on generated files.</summary>
/// <remarks>Alone in its collection, run apart from the others: one test reads what eval writes to the console.</remarks>
[Collection(nameof(TrainEvalVerbTests))]
[CollectionDefinition(nameof(TrainEvalVerbTests), DisableParallelization = true)]
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

    private static readonly string[] Emotions = ["anger", "fear", "happiness", "sadness", "surprise", "neutral"];

    private string WriteEmotions(string name, IEnumerable<ZhSentiment.Training.LabelledExample> rows, Func<string, string>? spell = null)
    {
        var text = new StringBuilder("label\tsource\ttext\n");
        foreach (var row in rows) text.Append((spell ?? (l => l))(Emotions[row.Label])).Append('\t').Append(row.Source).Append('\t').Append(row.Text).Append('\n');
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static async Task<(int Exit, string Output)> RunCapturingOutput(string[] args)
    {
        var was = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            return (await CommandLine.RunAsync(args), output.ToString());
        }
        finally
        {
            Console.SetOut(was);
        }
    }

    [Fact]
    public async Task Train_with_an_emotion_file_gives_a_model_whose_emotions_eval_measures()
    {
        var sentiment = WriteTsv("train.tsv", TestData.Generate(600, seed: 31));
        // Chinese spellings train as well as the canonical names.
        var chinese = new Dictionary<string, string> { ["anger"] = "愤怒", ["fear"] = "恐惧", ["happiness"] = "高兴", ["sadness"] = "悲伤", ["surprise"] = "惊讶", ["neutral"] = "无情绪" };
        var emotions = WriteEmotions("emotions.tsv", CompactTrainerTests.EmotionData(1200, seed: 32), l => chinese[l]);
        var emotionDev = WriteEmotions("emotion_dev.tsv", CompactTrainerTests.EmotionData(300, seed: 33));
        var model = Path.Combine(_dir, "model");
        Assert.Equal(0, await CommandLine.RunAsync(["train", "--data", sentiment, "--data", emotions, "--dev", emotionDev, "--output", model, "--dim", "0",
            "--buckets", "4096", "--emotion-buckets", "1024", "--emotion-step", "20", "--linear-step", "20"]));

        using (var engine = ModelLoader.Load(model, new ModelLoadOptions { Threads = 1 }))
        {
            Assert.Equal(["负面", "正面", .. Emotions], engine.Labels.ModelLabels);
            Assert.NotNull(engine.Labels.EmotionHead);
        }

        var (exit, output) = await RunCapturingOutput(["eval", "--data", emotionDev, "--model", model, "--json", "--threads", "1"]);
        Assert.Equal(0, exit);
        var json = JsonNode.Parse(output[output.IndexOf('{')..])!;
        Assert.Equal(300, json["rows"]!.GetValue<int>());
        Assert.True(json["macro_f1"]!.GetValue<double>() >= 0.9, output);
        Assert.True(json["accuracy"]!.GetValue<double>() >= 0.9, output);
        Assert.Equal(Emotions, json["classes"]!.AsArray().Select(c => c!["label"]!.GetValue<string>()));
        Assert.Equal(6, json["confusion"]!["gold_by_predicted"]!.AsArray().Count);
        Assert.True(json["calibration"]!["expected_calibration_error"]!.GetValue<double>() < 0.1, output);
    }

    [Fact]
    public async Task Emotion_files_without_a_sentiment_file_or_a_model_without_emotions_are_one_line_errors()
    {
        var emotions = WriteEmotions("emotions.tsv", CompactTrainerTests.EmotionData(200, seed: 34));
        var sentiment = WriteTsv("train.tsv", TestData.Generate(300, seed: 35));
        var model = Path.Combine(_dir, "plain");
        Assert.Equal(1, await CommandLine.RunAsync(["train", "--data", emotions, "--output", Path.Combine(_dir, "only-emotions")]));
        Assert.False(Directory.Exists(Path.Combine(_dir, "only-emotions")));
        Assert.NotEqual(0, await CommandLine.RunAsync(["train", "--data", sentiment, "--data", emotions, "--output", model, "--emotion-class-weighting", "sometimes"]));
        Assert.Equal(1, await CommandLine.RunAsync(["train", "--data", sentiment, "--dev", emotions, "--output", model]));
        Assert.Equal(0, await CommandLine.RunAsync(["train", "--data", sentiment, "--output", model, "--dim", "0", "--buckets", "4096"]));
        Assert.Equal(1, await CommandLine.RunAsync(["eval", "--data", emotions, "--model", model]));
    }

    [Fact]
    public async Task An_emotion_lexicon_goes_into_the_model_and_needs_emotion_rows_and_a_linear_model()
    {
        var sentiment = WriteTsv("train.tsv", TestData.Generate(300, seed: 41));
        var emotions = WriteEmotions("emotions.tsv", CompactTrainerTests.EmotionData(400, seed: 42));
        var lexicon = Path.Combine(_dir, "lexicon.tsv");
        File.WriteAllLines(lexicon, ["word\tclass", "气死\tanger", "开心\tjoy", "害怕\tfear"]);
        var model = Path.Combine(_dir, "with-lexicon");
        Assert.Equal(0, await CommandLine.RunAsync(["train", "--data", sentiment, "--data", emotions, "--output", model, "--dim", "0",
            "--buckets", "4096", "--emotion-buckets", "1024", "--emotion-lexicon", lexicon]));
        Assert.True(File.Exists(Path.Combine(model, "emotion_lexicon.bin")));
        using (var engine = ModelLoader.Load(model, new ModelLoadOptions { Threads = 1 }))
            Assert.NotNull(engine.Labels.EmotionHead);

        Assert.Equal(1, await CommandLine.RunAsync(["train", "--data", sentiment, "--output", Path.Combine(_dir, "no-emotions"), "--dim", "0", "--emotion-lexicon", lexicon]));
        Assert.Equal(1, await CommandLine.RunAsync(["train", "--data", sentiment, "--data", emotions, "--output", Path.Combine(_dir, "dim"), "--dim", "4", "--emotion-lexicon", lexicon]));
        Assert.Equal(1, await CommandLine.RunAsync(["train", "--data", sentiment, "--data", emotions, "--output", Path.Combine(_dir, "missing"), "--dim", "0", "--emotion-lexicon", Path.Combine(_dir, "none.tsv")]));
    }
}
