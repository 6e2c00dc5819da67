using System.Text.Json;
using ZhSentiment.Inference;
using ZhSentiment.Tests.Scoring;

namespace ZhSentiment.Tests.Cli;

/// <summary><c>predict --emotion</c> and <c>score --emotion</c> through the real executable, on ModelScope's emotion layout.</summary>
public sealed class EmotionCliTests : IDisposable
{
    private static readonly string Emotional = Path.Combine(TestPaths.Fixtures, "models", "modelscope-emotion");
    private static readonly string Sentiment = Path.Combine(TestPaths.Fixtures, "models", "modelscope");
    private static readonly string[] Texts = ["排了两个小时的队还没上车，气死我了", "今天收到礼物，好开心", "好害怕明天的考试"];
    private readonly string _temp = Directory.CreateTempSubdirectory("zhsenti-emotion-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Cache => Path.Combine(_temp, "cache");

    [Fact]
    public async Task Predict_json_emotion_prints_the_emotion_route_object_per_text()
    {
        var run = await Zhsenti.RunAsync(null, ["predict", "--model", Emotional, "--cache-dir", Cache, "--json", "--emotion", .. Texts]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var engine = ModelLoader.Load(Emotional, new ModelLoadOptions { CacheDirectory = Cache, Threads = 1 });
        var expected = engine.Predict(Texts);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Texts.Length, lines.Length);
        for (int i = 0; i < Texts.Length; i++)
        {
            var o = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(["text", "label", "score", "model_label", "emotions"], o.EnumerateObject().Select(p => p.Name));
            Assert.Equal(Texts[i], o.GetProperty("text").GetString());
            Assert.Equal(expected[i].Emotion, o.GetProperty("label").GetString());
            Assert.Equal(expected[i].EmotionScore, o.GetProperty("score").GetSingle(), 6);
            var emotions = o.GetProperty("emotions").EnumerateArray().ToArray();
            Assert.Equal(engine.Labels.ModelLabels, emotions.Select(e => e.GetProperty("model_label").GetString()));
            Assert.Equal(expected[i].Probabilities, emotions.Select(e => e.GetProperty("score").GetSingle()));
        }

        var plain = await Zhsenti.RunAsync(null, ["predict", "--model", Emotional, "--cache-dir", Cache, "--emotion", Texts[0]]);
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.Matches($"^{expected[0].Emotion}\\t0\\.\\d{{4}}\\t{Texts[0]}$", plain.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Emotion_on_a_sentiment_model_or_beside_analyze_is_refused_in_one_line()
    {
        var sentiment = await Zhsenti.RunAsync(null, ["predict", "--model", Sentiment, "--cache-dir", Cache, "--json", "--emotion", "好"]);
        Assert.Equal(1, sentiment.ExitCode);
        Assert.Equal("", sentiment.Stdout);
        Assert.Contains("has no emotion labels (its labels are 负面, 正面)", sentiment.Stderr);
        Assert.Single(sentiment.Stderr.TrimEnd().Split('\n'));

        var both = await Zhsenti.RunAsync(null, ["predict", "--model", Emotional, "--cache-dir", Cache, "--json", "--emotion", "--analyze", "好"]);
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("use one of --analyze and --emotion", both.Stderr);

        string input = Path.Combine(_temp, "in.csv");
        await File.WriteAllTextAsync(input, "text\n好\n", TestContext.Current.CancellationToken);
        var score = await Zhsenti.RunAsync(null, ["score", "--model", Sentiment, "--cache-dir", Cache, "--emotion", "-i", input, "-o", Path.Combine(_temp, "out.csv")]);
        Assert.Equal(1, score.ExitCode);
        Assert.Contains("has no emotion labels", score.Stderr);
        Assert.False(File.Exists(Path.Combine(_temp, "out.csv")));
    }

    [Fact]
    public async Task Score_emotion_writes_the_emotion_columns_the_engine_computes()
    {
        string input = Path.Combine(_temp, "in.csv"), output = Path.Combine(_temp, "out.csv");
        await File.WriteAllTextAsync(input, "id,text\n" + string.Join("\n", Texts.Select((t, i) => $"{i},{t}")) + "\n", TestContext.Current.CancellationToken);
        var run = await Zhsenti.RunAsync(null, ["score", "--model", Emotional, "--cache-dir", Cache, "--emotion", "-i", input, "-o", output]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var engine = ModelLoader.Load(Emotional, new ModelLoadOptions { CacheDirectory = Cache, Threads = 1 });
        var expected = engine.Predict(Texts);
        var rows = FileScorerTests.ReadAll(output, out var columns);
        var emotions = engine.Labels.Names;
        Assert.Equal(["id", "text", "label", "score", .. engine.Labels.ModelLabels.Select(l => "prob_" + l),
            "emotion", "emotion_score", .. emotions.Select(e => "emo_" + e), "error"], columns);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i].Label, rows[i]["label"]);
            Assert.Equal(expected[i].Emotion, rows[i]["emotion"]);
            for (int c = 0; c < emotions.Count; c++)
                Assert.Equal(expected[i].Probabilities[c], float.Parse(rows[i]["emo_" + emotions[c]]!, System.Globalization.CultureInfo.InvariantCulture), 5);
        }
    }
}
