using System.Text;
using System.Text.Json.Nodes;
using ZhSentiment.Cli;
using ZhSentiment.Compact;
using ZhSentiment.Inference;
using ZhSentiment.Tests.Cli;
using ZhSentiment.Training;

namespace ZhSentiment.Tests.Training;

/// <summary>
/// <c>train --teacher</c> through the real engine: the teacher is a random-weight BERT fixture (PyTorch-checked
/// logits), whose answers have nothing to do with the cue words that decide the generated texts' gold labels, so what
/// a student learns from each source shows in whom it agrees with.
/// </summary>
public sealed class DistillationTests : IDisposable
{
    private static readonly string Bert = Path.Combine(TestPaths.Fixtures, "models", "hf-bin");
    private static readonly string ThreeClassBert = Path.Combine(TestPaths.Fixtures, "models", "modelscope-3class");
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-distil-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Cache => Path.Combine(_dir, "cache");

    private string WriteTsv(string name, IEnumerable<LabelledExample> rows)
    {
        var text = new StringBuilder("label\ttext\n");
        foreach (var row in rows) text.Append(row.Label == 1 ? "正面" : "负面").Append('\t').Append(row.Text).Append('\n');
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private async Task<string> Train(string data, string name, params string[] extra)
    {
        var output = Path.Combine(_dir, name);
        string[] args = ["train", "--data", data, "--output", output, "--seed", "1", "--dim", "0", "--linear-step", "5", "--buckets", "65536", .. extra];
        Assert.Equal(0, await CommandLine.RunAsync(args));
        return output;
    }

    private SentimentEngine Load(string model) => ModelLoader.Load(model, new ModelLoadOptions { Threads = 1, CacheDirectory = Cache });

    /// <summary>A copy of the fixture folder with other labels in its config.json.</summary>
    private string WithLabels(string fixture, string name, params string[] labels)
    {
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(fixture)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var configPath = Path.Combine(folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["id2label"] = new JsonObject(labels.Select((l, i) => KeyValuePair.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)l)));
        config["label2id"] = new JsonObject(labels.Select((l, i) => KeyValuePair.Create(l, (JsonNode?)i)));
        File.WriteAllText(configPath, config.ToJsonString());
        return folder;
    }

    [Fact]
    public async Task A_student_taught_by_the_teacher_agrees_with_it_far_more_than_one_taught_by_the_labels()
    {
        var data = WriteTsv("train.tsv", TestData.Generate(10_000, seed: 61));
        var heldOut = TestData.Generate(600, seed: 62).Select(e => e.Text).ToArray();
        var distilled = await Train(data, "distilled", "--teacher", Bert, "--teacher-weight", "1", "--threads", "1", "--cache-dir", Cache);
        var gold = await Train(data, "gold");

        using var teacher = Load(Bert);
        var truth = teacher.Predict(heldOut).Select(r => r.Polarity).ToArray();
        double Agreement(string model)
        {
            using var student = Load(model);
            return student.Predict(heldOut).Where((r, i) => r.Polarity == truth[i]).Count() / (double)heldOut.Length;
        }
        double fromTeacher = Agreement(distilled), fromLabels = Agreement(gold);
        double commoner = truth.CountBy(t => t).Max(c => c.Value) / (double)truth.Length;
        var says = $"agreement with the teacher on {heldOut.Length} held-out texts: distilled {fromTeacher:P1}, trained on the labels {fromLabels:P1}, always the teacher's commoner answer {commoner:P1}";
        TestContext.Current.TestOutputHelper?.WriteLine(says);
        // A linear n-gram student cannot follow all of a BERT's answers on texts of 8-22 characters (measured: 67.5 % here,
        // 58 % from 3,000 texts, 69 % at most with 20 epochs or embeddings), but it follows far more of them than chance.
        Assert.True(fromTeacher >= 0.62 && fromTeacher >= fromLabels + 0.12 && fromTeacher >= commoner + 0.1, says);
    }

    [Fact]
    public void A_teacher_is_read_by_the_meaning_of_its_labels_not_their_order()
    {
        string[] texts = ["这家餐厅的菜很好吃，服务也很周到。", "太难吃了，再也不会来了。", "快递很快，第二天就到了，包装完好。"];
        using var original = Load(Bert);
        using var reversed = Load(WithLabels(Bert, "reversed", "正面", "负面"));
        var asGiven = new Teacher(original).Score(texts);
        var opinions = new Teacher(reversed).Score(texts);
        var probabilities = reversed.Predict(texts);
        var binary = new CompactConfig();
        var targets = CompactTrainer.Targets(binary, [0, 1, 1], opinions, 0.25f);
        for (int i = 0; i < texts.Length; i++)
        {
            // The same weights: index 0, Negative in the fixture, is 正面 in the copy.
            Assert.Equal(probabilities[i].Probabilities[0], opinions[i].Positive, 1e-6);
            Assert.Equal(1 - asGiven[i].Positive, opinions[i].Positive, 1e-5);
            Assert.Null(opinions[i].Subjective);
            Assert.Equal(0.75f * (i == 0 ? 0 : 1) + 0.25f * opinions[i].Positive, targets[i], 1e-6);
        }

        // A three-class teacher also teaches a three-class student's subjectivity: 1 − P(中性).
        using var three = Load(ThreeClassBert);
        var threeOpinions = new Teacher(three).Score(texts);
        var threeProbabilities = three.Predict(texts);
        var threeTargets = CompactTrainer.Targets(new CompactConfig { Labels = LabelledDataset.ThreeClassLabels }, [0, 1, 2], threeOpinions, 1f);
        for (int i = 0; i < texts.Length; i++)
        {
            var p = threeProbabilities[i].Probabilities;
            Assert.Equal(p[2] / (p[0] + p[2]), threeTargets[i * 2], 1e-5);
            Assert.Equal(1 - p[1], threeTargets[i * 2 + 1], 1e-5);
        }
    }

    [Fact]
    public async Task A_teacher_whose_labels_mean_nothing_is_refused_in_one_line()
    {
        var data = WriteTsv("train.tsv", TestData.Generate(50, seed: 63));
        var topics = WithLabels(Bert, "topics", "体育", "财经");
        var run = await Zhsenti.RunAsync(null, ["train", "--data", data, "--output", Path.Combine(_dir, "m"), "--teacher", topics, "--cache-dir", Cache]);
        Assert.Equal(1, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.Stderr);
        Assert.Contains("cannot teach sentiment: its labels (体育, 财经) have no positive/negative meaning", lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "m")));
    }

    [Fact]
    public async Task The_same_data_teacher_and_seed_give_the_same_bytes_also_from_a_ModelScope_id()
    {
        var data = WriteTsv("train.tsv", TestData.Generate(2000, seed: 64));
        // A ModelScope model already in the cache is used from there; --offline keeps the hub out of it.
        var cached = Path.Combine(Cache, "modelscope", "tests", "tiny-bert", "master");
        Directory.CreateDirectory(cached);
        foreach (var file in Directory.EnumerateFiles(Bert)) File.Copy(file, Path.Combine(cached, Path.GetFileName(file)));

        var a = await Train(data, "a", "--teacher", Bert, "--threads", "2", "--cache-dir", Cache);
        var b = await Train(data, "b", "--teacher", "modelscope:tests/tiny-bert", "--offline", "--threads", "2", "--cache-dir", Cache);
        var files = Directory.EnumerateFiles(a).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(files, Directory.EnumerateFiles(b).Select(Path.GetFileName).Order().ToArray());
        foreach (var file in files) Assert.Equal(File.ReadAllBytes(Path.Combine(a, file!)), File.ReadAllBytes(Path.Combine(b, file!)));
        // And the teacher changed the model: the same run without it differs.
        var alone = await Train(data, "alone");
        byte[] Bytes(string model) => [.. files.SelectMany(file => File.ReadAllBytes(Path.Combine(model, file!)))];
        Assert.NotEqual(Bytes(a), Bytes(alone));
    }
}
