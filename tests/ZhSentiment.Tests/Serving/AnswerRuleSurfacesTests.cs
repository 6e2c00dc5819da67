using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZhSentiment.Inference;
using ZhSentiment.Scoring;
using ZhSentiment.Tests.Cli;
using ZhSentiment.Tests.Scoring;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// One answer rule on every surface: for each label family of the fixture checkpoints, the same texts through
/// <c>/predict_batch</c>, <c>/v1/sentiment</c>, <c>predict --json</c>, <c>score</c> and <c>eval</c> give the same verdicts
/// and scores: the binary ones where the binary contract holds, the three-way ones elsewhere.
/// </summary>
public sealed class AnswerRuleSurfacesTests : IDisposable
{
    private static readonly string[] Texts =
    [
        "这家店的服务态度真是太好了", "质量太差，再也不买了", "物流很快", "一般般吧", "客服回复很慢，但是东西不错",
        "完全不值这个价", "还会再来", "房间很小，隔音差", "性价比高，推荐", "等了一个小时才上菜",
    ];

    private readonly string _temp = Directory.CreateTempSubdirectory("zhsenti-rule-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string> Families => new()
    {
        "modelscope",           // 负面, 正面
        "modelscope-trainer",   // 正面, 负面: reversed
        "modelscope-3class",    // 负面, 中性, 正面
        "hf-stars",             // star 1 … star 5
        "sigmoid",              // hf-bin as multi_label_classification
        "no-meaning",           // hf-bin relabelled 体育, 财经
    };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Every_surface_gives_the_rules_answer(string family)
    {
        string folder = Folder(family);
        string cache = Path.Combine(_temp, "cache");
        SentimentEngine LoadEngine() => ModelLoader.Load(folder, new ModelLoadOptions { CacheDirectory = cache, Threads = 1 });
        using var engine = LoadEngine();
        var expected = engine.Predict(Texts);
        var labels = engine.Labels;
        foreach (var r in expected)
        {
            float[] p = [.. r.Probabilities];
            Assert.Equal(labels.Binary(p), new SentimentVerdict(r.Polarity, r.PolarityScore));
            Assert.Equal(labels.ThreeWay(p), new SentimentVerdict(r.Label, r.Score));
            if (labels.IsCanonical && r.Label != LabelSet.Neutral) Assert.Equal(r.Polarity, r.Label);
        }

        await using (var service = await TestService.StartAsync(load: (_, _) => Task.FromResult(LoadEngine())))
        {
            var batch = await service.PostForJsonAsync("/predict_batch", JsonSerializer.Serialize(new { texts = Texts }));
            var sentiment = (await service.PostForJsonAsync("/v1/sentiment", JsonSerializer.Serialize(new { texts = Texts }))).GetProperty("results");
            for (int i = 0; i < Texts.Length; i++)
            {
                Assert.Equal(expected[i].Polarity, batch[i].GetProperty("label").GetString());
                Assert.Equal(expected[i].PolarityScore, batch[i].GetProperty("score").GetSingle(), 5);
                Assert.Equal(expected[i].Label, sentiment[i].GetProperty("label").GetString());
                Assert.Equal(expected[i].Score, sentiment[i].GetProperty("score").GetSingle(), 5);
                Assert.Equal(expected[i].ModelLabel, sentiment[i].GetProperty("model_label").GetString());
            }
        }

        var predict = await Zhsenti.RunAsync(null, ["predict", "--model", folder, "--cache-dir", cache, "--json", .. Texts]);
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        var lines = predict.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < Texts.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            Assert.Equal(expected[i].Polarity, line.RootElement.GetProperty("label").GetString());
            Assert.Equal(expected[i].PolarityScore, line.RootElement.GetProperty("score").GetSingle(), 5);
        }

        string input = Path.Combine(_temp, "in.csv"), output = Path.Combine(_temp, "out.csv");
        await File.WriteAllTextAsync(input, "text\n" + string.Join("\n", Texts) + "\n", TestContext.Current.CancellationToken);
        await FileScorer.RunAsync(engine, new ScoreOptions { Input = input, Output = output }, cancellationToken: TestContext.Current.CancellationToken);
        var rows = FileScorerTests.ReadAll(output, out _);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i].Label, rows[i]["label"]);
            Assert.Equal(expected[i].Score, float.Parse(rows[i]["score"]!, CultureInfo.InvariantCulture), 5);
        }

        await CheckEvalAsync(folder, cache, expected, labels);
    }

    /// <summary>eval's accuracy on a labelled file is the share of texts whose rule answer matches the gold label.</summary>
    private async Task CheckEvalAsync(string folder, string cache, SentimentResult[] expected, LabelSet labels)
    {
        bool threeClass = labels.HasNeutral;
        string[] gold = threeClass ? ["负面", "中性", "正面"] : ["负面", "正面"];
        string[] names = threeClass ? [LabelSet.Negative, LabelSet.Neutral, LabelSet.Positive] : [LabelSet.Negative, LabelSet.Positive];
        var file = new StringBuilder("label\ttext\n");
        for (int i = 0; i < Texts.Length; i++) file.Append(gold[i % gold.Length]).Append('\t').Append(Texts[i]).Append('\n');
        string path = Path.Combine(_temp, "gold.tsv");
        await File.WriteAllTextAsync(path, file.ToString(), TestContext.Current.CancellationToken);

        var eval = await Zhsenti.RunAsync(null, ["eval", "--data", path, "--model", folder, "--cache-dir", cache, "--json"]);
        if (!labels.IsCanonical)
        {
            Assert.Equal(1, eval.ExitCode);
            Assert.Contains("not a positive/negative pair", eval.Stderr);
            return;
        }
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        int correct = 0;
        for (int i = 0; i < Texts.Length; i++)
            if ((threeClass ? expected[i].Label : expected[i].Polarity) == names[i % names.Length]) correct++;
        using var json = JsonDocument.Parse(eval.Stdout);
        Assert.Equal((double)correct / Texts.Length, json.RootElement.GetProperty("accuracy").GetDouble(), 6);
    }

    private string Folder(string family)
    {
        string Fixture(string name) => Path.Combine(TestPaths.Fixtures, "models", name);
        if (family is not ("sigmoid" or "no-meaning")) return Fixture(family);
        string copy = Path.Combine(_temp, family);
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(Fixture("hf-bin"))) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        string path = Path.Combine(copy, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        if (family == "sigmoid") config["problem_type"] = "multi_label_classification";
        else
        {
            config["id2label"] = new JsonObject { ["0"] = "体育", ["1"] = "财经" };
            config["label2id"] = new JsonObject { ["体育"] = 0, ["财经"] = 1 };
        }
        File.WriteAllText(path, config.ToJsonString());
        return copy;
    }
}
