using ZhSentiment.Compact;
using ZhSentiment.Training;

namespace ZhSentiment.Tests.Training;

public class CompactTrainerTests
{
    private static CompactTrainerOptions Options(int seed = 7, int dim = 8) => new()
    {
        Model = new CompactConfig { Buckets = 4096, EmbeddingRows = 1024, Dim = dim, ConvFilters = dim > 0 ? 4 : 0, ConvWidth = 4, MaxSequenceLength = 64, ClauseRoles = true },
        Epochs = 5,
        LinearStepScale = 50,
        Seed = seed,
    };

    private static ClassificationMetrics Measure(CompactWeights weights, List<LabelledExample> test) =>
        ClassificationMetrics.Compute(LabelledDataset.BinaryLabels, [.. test.Select(e => e.Label)],
            [.. CompactTrainer.Probabilities(weights, [.. test.Select(e => e.Text)]).Select(p => p[1] > p[0] ? 1 : 0)], [.. test.Select(e => e.Source)]);

    [Theory]
    [InlineData(8, 0.97)]
    [InlineData(0, 0.9)]
    public void Learns_a_generated_set(int dim, double expected)
    {
        var weights = new CompactTrainer(Options(dim: dim)).Train(TestData.Generate(1500, seed: 1));
        var metrics = Measure(weights, TestData.Generate(400, seed: 2));
        Assert.True(metrics.Accuracy >= expected, $"accuracy {metrics.Accuracy:P1} on held-out generated texts");
    }

    [Fact]
    public void Same_data_and_seed_give_the_same_model()
    {
        var data = TestData.Generate(800, seed: 3);
        var test = TestData.Generate(300, seed: 4);
        var a = new CompactTrainer(Options()).Train(data);
        var b = new CompactTrainer(Options()).Train(data);
        Assert.Equal(Measure(a, test).Accuracy, Measure(b, test).Accuracy);
        Assert.Equal(a.Linear, b.Linear);
        Assert.Equal(a.Embeddings, b.Embeddings);
        Assert.Equal(a.ConvKernel, b.ConvKernel);
        Assert.Equal(a.Output, b.Output);
        Assert.Equal(a.Bias, b.Bias);
        var c = new CompactTrainer(Options(seed: 8)).Train(data);
        Assert.NotEqual(a.Embeddings, c.Embeddings);
    }

    [Fact]
    public void Progress_and_epochs_are_reported()
    {
        var epochs = new List<int>();
        int lastDone = -1;
        new CompactTrainer(Options() with { Epochs = 2 })
        {
            EpochDone = (epoch, _) => epochs.Add(epoch),
            Progress = (_, done, total) => { lastDone = done; Assert.Equal(100, total); },
        }.Train(TestData.Generate(100, seed: 5));
        Assert.Equal([1, 2], epochs);
        Assert.Equal(100, lastDone);
    }

    [Fact]
    public void Rejects_labels_outside_the_model()
    {
        var e = Assert.Throws<ArgumentException>(() => new CompactTrainer(Options()).Train([new LabelledExample("好", 2, null, 9)]));
        Assert.Contains("Line 9", e.Message);
    }

    /// <summary>
    /// Two cue words of opposite polarity joined by a contrast, each between fillers so that no n-gram holds a cue
    /// with the marker or the text's edge: the one after 但是 decides.
    /// </summary>
    private static List<LabelledExample> Contrasts(int count, int seed)
    {
        var random = new Random(seed);
        string[] positive = ["很好", "满意", "喜欢", "推荐"], negative = ["很差", "失望", "讨厌", "难用"];
        var examples = new List<LabelledExample>(count);
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(2);
            string first = (label == 1 ? negative : positive)[random.Next(4)], last = (label == 1 ? positive : negative)[random.Next(4)];
            string Filler() => string.Concat(Enumerable.Range(0, random.Next(2, 5)).Select(_ => "的了是在我有这个们"[random.Next(9)]));
            examples.Add(new LabelledExample($"{Filler()}{first}{Filler()}，但是{Filler()}{last}{Filler()}", label, null, i + 2));
        }
        return examples;
    }

    [Fact]
    public void Clause_roles_learn_that_the_clause_after_a_contrast_decides()
    {
        var train = Contrasts(1500, seed: 31);
        var test = Contrasts(300, seed: 32);
        // The shipped recipe: linear n-grams, sqrt pooling.
        var options = Options(dim: 0) with { LinearStepScale = 5, Model = Options(dim: 0).Model with { SqrtPooling = true } };
        var withRoles = Measure(new CompactTrainer(options).Train(train), test).Accuracy;
        var bag = Measure(new CompactTrainer(options with { Model = options.Model with { ClauseRoles = false } }).Train(train), test).Accuracy;
        Assert.True(withRoles >= 0.95, $"with clause roles {withRoles:P1}");
        Assert.True(bag < 0.8, $"a plain bag of n-grams cannot tell which cue comes last, yet reached {bag:P1}");
    }

    [Fact]
    public void Learns_three_classes_and_calibrates_on_the_held_out_slice()
    {
        var random = new Random(41);
        List<LabelledExample> Three(int count, int seed) => [.. TestData.Generate(count, seed).Select(e =>
            random.Next(3) == 0 ? e with { Text = new string(e.Text.Where(c => !"很好满意喜欢推荐不错开心差失望讨厌垃圾难用生气".Contains(c)).ToArray()), Label = 1 }
            : e with { Label = e.Label * 2 })];
        var options = Options() with { Model = Options().Model with { Labels = ["负面", "中性", "正面"] } };
        var weights = new CompactTrainer(options).Train(Three(2000, 42), calibration: Three(400, 43));
        Assert.Equal(2, weights.Config.HeadTemperatures.Count);

        var test = Three(400, 44);
        var probabilities = CompactTrainer.Probabilities(weights, [.. test.Select(e => e.Text)]);
        var predicted = probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray();
        var metrics = ClassificationMetrics.Compute(options.Model.Labels, [.. test.Select(e => e.Label)], predicted);
        Assert.True(metrics.MacroF1 >= 0.9, $"three-class macro-F1 {metrics.MacroF1:F3}");
        var reliability = ReliabilityDiagram.Compute([.. probabilities.Select(p => p.Max())], [.. predicted.Select((p, i) => p == test[i].Label)]);
        Assert.True(reliability.ExpectedCalibrationError < 0.06, $"calibration error {reliability.ExpectedCalibrationError:F3}");
    }

    [Fact]
    public void Class_weights_give_each_class_of_a_source_an_equal_share()
    {
        LabelledExample E(int label, string source) => new("x", label, source, 1);
        List<LabelledExample> data = [E(0, "a"), E(1, "a"), E(1, "a"), E(1, "a"), E(0, "b"), E(1, "b")];
        var w = ClassWeights.For(data, 2, ClassWeighting.PerSource);
        Assert.Equal(w[0], w[1] + w[2] + w[3], 4);
        Assert.Equal(w[4], w[5], 4);
        Assert.Equal(data.Count, w.Sum(), 3);
        Assert.All(ClassWeights.For(data, 2, ClassWeighting.None), x => Assert.Equal(1f, x));
        var balanced = ClassWeights.For(data, 2, ClassWeighting.Balanced);
        Assert.Equal(balanced[0] * 2, balanced[1] * 4, 4);
    }

    private static readonly string[] Emotions = ["anger", "fear", "happiness", "sadness", "surprise", "neutral"];

    /// <summary>Generated emotion rows: a cue word of the emotion (none for neutral) among filler characters.</summary>
    internal static List<LabelledExample> EmotionData(int count, int seed)
    {
        string[][] cues = [["气死", "愤怒", "可恶"], ["害怕", "恐怖", "吓人"], ["开心", "高兴", "快乐"], ["难过", "伤心", "想哭"], ["竟然", "震惊", "没想到"], []];
        const string filler = "的了是在我有这个们中来上大为和国地到以说时要就出会可也你对能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进小部其些主样理她本前但因只从想实";
        var random = new Random(seed);
        var rows = new List<LabelledExample>(count);
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(cues.Length);
            var chars = new char[random.Next(6, 20)];
            for (int c = 0; c < chars.Length; c++) chars[c] = filler[random.Next(filler.Length)];
            var text = new string(chars);
            if (cues[label].Length > 0) text = text.Insert(random.Next(chars.Length), cues[label][random.Next(cues[label].Length)]);
            rows.Add(new LabelledExample(text, label, "gen", i + 2));
        }
        return rows;
    }

    private static CompactTrainerOptions EmotionOptions(int seed = 7) => Options(seed, dim: 0) with
    {
        Model = Options(seed, dim: 0).Model with { EmotionLabels = Emotions, EmotionBuckets = 2048 },
        EmotionStepScale = 20,
        EmotionEpochs = 5,
    };

    [Fact]
    public void Learns_emotions_in_a_pass_that_leaves_the_sentiment_part_bit_for_bit_the_same()
    {
        var sentiment = TestData.Generate(800, seed: 51);
        var calibration = TestData.Generate(200, seed: 52);
        var options = EmotionOptions();
        var plain = new CompactTrainer(options with { Model = options.Model with { EmotionLabels = [] } }).Train(sentiment, calibration);
        var epochs = new List<int>();
        var both = new CompactTrainer(options) { EmotionEpochDone = (epoch, _) => epochs.Add(epoch) }
            .Train(sentiment, calibration, emotions: EmotionData(1500, seed: 53), emotionCalibration: EmotionData(300, seed: 54));
        Assert.Equal([1, 2, 3, 4, 5], epochs);
        Assert.Equal(plain.Linear, both.Linear);
        Assert.Equal(plain.Bias, both.Bias);
        Assert.Equal(plain.Config.HeadTemperatures, both.Config.HeadTemperatures);
        Assert.NotEqual(1f, both.Config.EmotionTemperature);

        var test = TestData.Generate(200, seed: 55);
        var texts = test.Select(e => e.Text).ToArray();
        var p = CompactTrainer.Probabilities(plain, texts);
        var q = CompactTrainer.Probabilities(both, texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(p[i], q[i][..2]);

        var emotionTest = EmotionData(400, seed: 56);
        var probabilities = CompactTrainer.Probabilities(both, [.. emotionTest.Select(e => e.Text)]);
        var labels = both.Config.LabelSet();
        var decisions = probabilities.Select(x => Decision.Predict(labels, x, Emotions)).ToArray();
        var metrics = ClassificationMetrics.Compute(Emotions, [.. emotionTest.Select(e => e.Label)], [.. decisions.Select(d => d.Label)]);
        Assert.True(metrics.MacroF1 >= 0.9, $"emotion macro-F1 {metrics.MacroF1:F3}");
        var reliability = ReliabilityDiagram.Compute([.. decisions.Select(d => d.Confidence)], [.. decisions.Select((d, i) => d.Label == emotionTest[i].Label)]);
        Assert.True(reliability.ExpectedCalibrationError < 0.08, $"emotion calibration error {reliability.ExpectedCalibrationError:F3}");
    }

    [Fact]
    public void Same_data_and_seed_give_the_same_emotion_head()
    {
        var sentiment = TestData.Generate(300, seed: 61);
        var emotions = EmotionData(600, seed: 62);
        var a = new CompactTrainer(EmotionOptions()).Train(sentiment, emotions: emotions);
        var b = new CompactTrainer(EmotionOptions()).Train(sentiment, emotions: emotions);
        Assert.Equal(a.EmotionTable, b.EmotionTable);
        Assert.Equal(a.EmotionBias, b.EmotionBias);
        var c = new CompactTrainer(EmotionOptions(seed: 8)).Train(sentiment, emotions: emotions);
        Assert.NotEqual(a.EmotionTable, c.EmotionTable);
    }

    [Fact]
    public void Rejects_emotion_rows_the_model_has_no_head_or_label_for()
    {
        var sentiment = TestData.Generate(50, seed: 63);
        var emotions = EmotionData(50, seed: 64);
        Assert.Contains("no emotion labels", Assert.Throws<ArgumentException>(() => new CompactTrainer(Options(dim: 0)).Train(sentiment, emotions: emotions)).Message);
        Assert.Contains("no emotion rows", Assert.Throws<ArgumentException>(() => new CompactTrainer(EmotionOptions()).Train(sentiment)).Message);
        var outside = new List<LabelledExample> { new("x", 6, null, 9) };
        Assert.Contains("Line 9", Assert.Throws<ArgumentException>(() => new CompactTrainer(EmotionOptions()).Train(sentiment, emotions: outside)).Message);
    }
}
