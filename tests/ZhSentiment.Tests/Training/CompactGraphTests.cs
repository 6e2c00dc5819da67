using ZhSentiment.Compact;
using ZhSentiment.Graph.Onnx;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Training;

public class CompactGraphTests
{
    private static CompactWeights RandomWeights(CompactConfig config, int seed)
    {
        var random = new Random(seed);
        var weights = new CompactWeights(config);
        foreach (var values in new[] { weights.Linear, weights.Embeddings, weights.Output, weights.ConvKernel, weights.ConvBias, weights.ConvOutput, weights.Bias, weights.EmotionTable, weights.EmotionBias })
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        weights.RoundTablesToHalf();
        return weights;
    }

    public static TheoryData<int, int, int, bool, int, bool> Shapes => new()
    {
        // dim, conv filters, labels, calibrated, emotions, sqrt pooling
        { 0, 0, 2, false, 0, false },
        { 5, 0, 2, true, 0, false },
        { 5, 3, 2, false, 0, true },
        { 0, 0, 3, true, 0, true },
        { 6, 4, 3, true, 0, false },
        { 0, 0, 3, true, 6, true },
        { 0, 0, 3, false, 6, false },
        { 0, 0, 2, true, 2, true },
        { 5, 3, 3, true, 8, true },
    };

    private static readonly string[] SixEmotions = ["anger", "fear", "happiness", "sadness", "surprise", "neutral"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Onnx_logits_equal_the_direct_computation(int dim, int filters, int labels, bool calibrated, int emotions, bool sqrt)
    {
        var config = new CompactConfig
        {
            Labels = labels == 2 ? ["负面", "正面"] : ["负面", "中性", "正面"],
            Buckets = 97, EmbeddingRows = 13, Dim = dim, ConvFilters = filters, ConvWidth = 4, MaxSequenceLength = 32, SqrtPooling = sqrt,
            HeadTemperatures = calibrated ? [.. Enumerable.Range(0, labels - 1).Select(h => 1.7f + h)] : [],
            EmotionLabels = emotions switch { 0 => [], 6 => SixEmotions, 8 => ZhSentiment.Inference.LabelMeaning.Emotions, _ => ["happiness", "sadness"] },
            EmotionBuckets = 31,
            EmotionTemperature = calibrated ? 0.8f : 1f,
        };
        var weights = RandomWeights(config, seed: dim * 10 + filters + labels + emotions);
        int outputs = labels + emotions;
        int[][] rows = [[3, 96, 3, 0, 41], [7], [12, 80, 80, 55, 1, 2, 9, 90, 64, 33, 0, 5]];
        var batch = new EncodedBatch();
        batch.Reset(rows.Length, rows.Max(r => r.Length));
        for (int r = 0; r < rows.Length; r++) batch.SetRow(r, rows[r]);

        using var classifier = OnnxClassifier.Load(OnnxModelWriter.ToBytes(CompactGraphBuilder.Build(weights), CompactGraphBuilder.Metadata(weights.Config)), "compact");
        Assert.Equal(32, classifier.MaxSequenceLength);
        Assert.Equal(outputs, classifier.LabelCount);
        var logits = new float[rows.Length * outputs];
        classifier.Run(batch, logits);

        var expected = new float[outputs];
        var scratch = new CompactWeights.Scratch(weights);
        for (int r = 0; r < rows.Length; r++)
        {
            weights.Logits(rows[r], expected, scratch);
            for (int l = 0; l < outputs; l++) Assert.Equal(expected[l], logits[r * outputs + l], 1e-4f);
        }
    }

    [Fact]
    public void A_model_with_emotions_saves_loads_and_serves_both_heads()
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-compact-").FullName;
        try
        {
            var config = new CompactConfig
            {
                Labels = ["负面", "中性", "正面"], Buckets = 257, Dim = 0, MaxSequenceLength = 16, SqrtPooling = true,
                HeadTemperatures = [0.9f, 1.2f], EmotionLabels = SixEmotions, EmotionBuckets = 64, EmotionTemperature = 1.3f,
            };
            var weights = RandomWeights(config, seed: 5);
            CompactModel.Save(weights, dir);
            var loaded = CompactConfig.Load(Path.Combine(dir, "config.json"));
            Assert.Equal(SixEmotions, loaded.EmotionLabels);
            Assert.Equal(64, loaded.EmotionBuckets);
            Assert.Equal(1.3f, loaded.EmotionTemperature);

            using var engine = ModelLoader.Load(dir, new ModelLoadOptions { Threads = 1 });
            Assert.Equal(["负面", "中性", "正面", .. SixEmotions], engine.Labels.ModelLabels);
            Assert.Equal(3, engine.Labels.EmotionHead!.Offset);
            Assert.Equal(6, engine.Labels.EmotionHead.Count);
            Assert.True(engine.Labels.HasNeutral);
            string[] texts = ["今天真开心", "气死我了，什么破东西", new string('哭', 30) + "好害怕"];
            var direct = ZhSentiment.Training.CompactTrainer.Probabilities(weights, texts);
            var served = engine.Predict(texts);
            Assert.True(served[^1].Windows > 1, "the long text is split into windows");
            for (int i = 0; i < texts.Length; i++)
            {
                for (int l = 0; l < 9; l++) Assert.Equal(direct[i][l], served[i].Probabilities[l], 1e-4f);
                Assert.Equal(1f, served[i].Probabilities.Take(3).Sum(), 1e-4f);
                Assert.Equal(1f, served[i].Probabilities.Skip(3).Sum(), 1e-4f);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_config_without_emotions_loads_as_before()
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-compact-").FullName;
        try
        {
            var path = Path.Combine(dir, "config.json");
            File.WriteAllText(path, """
                {"model_type":"zhsenti-ngram","id2label":{"0":"负面","1":"中性","2":"正面"},"ngram_range":[1,3],"buckets":1024,"dim":0,
                 "max_sequence_length":2048,"pooling":"sqrt","output":"heads","head_temperatures":[0.9,1.1]}
                """);
            var config = CompactConfig.Load(path);
            Assert.False(config.HasEmotions);
            Assert.Equal(3, config.Outputs);
            Assert.Single(config.LabelSet().Heads);
            // Saving it again writes no emotion keys.
            config.Save(path);
            Assert.DoesNotContain("emotion", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("\"emotion_id2label\":{\"0\":\"anger\",\"1\":\"anger\"}", "emotion_id2label")]
    [InlineData("\"emotion_id2label\":{\"0\":\"angry\",\"1\":\"fear\"}", "canonical")]
    [InlineData("\"emotion_id2label\":{\"0\":\"anger\",\"1\":\"fear\"},\"emotion_buckets\":0", "emotion_buckets")]
    [InlineData("\"emotion_id2label\":{\"0\":\"anger\",\"1\":\"fear\"},\"emotion_temperature\":-1", "emotion_temperature")]
    public void A_bad_emotion_head_in_config_names_the_problem(string emotionKeys, string problem)
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-compact-").FullName;
        try
        {
            var path = Path.Combine(dir, "config.json");
            File.WriteAllText(path, "{\"model_type\":\"zhsenti-ngram\",\"id2label\":{\"0\":\"负面\",\"1\":\"正面\"},\"ngram_range\":[1,3],\"buckets\":1024,\"dim\":0,\"max_sequence_length\":64,\"output\":\"heads\"," + emotionKeys + "}");
            var e = Assert.Throws<ModelFormatException>(() => CompactConfig.Load(path));
            Assert.Contains(problem, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Three_label_probabilities_factor_into_opinion_and_polarity()
    {
        var config = new CompactConfig { Labels = ["负面", "中性", "正面"], Buckets = 7, Dim = 0 };
        var logits = new float[3];
        CompactWeights.ScoresToLogits(config, [1.2f, -0.4f], logits);
        var p = new float[3];
        WindowCombiner.Softmax(logits, p);
        float opinion = 1 / (1 + MathF.Exp(0.4f)), positive = 1 / (1 + MathF.Exp(-1.2f));
        Assert.Equal(opinion * (1 - positive), p[0], 1e-5f);
        Assert.Equal(1 - opinion, p[1], 1e-5f);
        Assert.Equal(opinion * positive, p[2], 1e-5f);
    }

    [Fact]
    public void A_saved_folder_loads_and_predicts_as_the_trainer_does()
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-compact-").FullName;
        try
        {
            var train = TestData.Generate(600, seed: 11);
            var weights = new ZhSentiment.Training.CompactTrainer(new ZhSentiment.Training.CompactTrainerOptions
            {
                Model = new CompactConfig { Buckets = 2048, EmbeddingRows = 512, Dim = 4, ConvFilters = 3, ConvWidth = 3, MaxSequenceLength = 16, ClauseRoles = true },
            }).Train(train);
            CompactModel.Save(weights, dir);
            Assert.Equal(ModelFolderKind.Compact, ModelFolder.Inspect(dir).Kind);

            using var engine = ModelLoader.Load(dir, new ModelLoadOptions { Threads = 1 });
            Assert.Equal("zhsenti-ngram", engine.Info.Architecture);
            var texts = TestData.Generate(50, seed: 12).Select(e => e.Text).Append(new string('好', 40) + "很差").ToArray();
            var direct = ZhSentiment.Training.CompactTrainer.Probabilities(weights, texts);
            var served = engine.Predict(texts);
            Assert.True(served[^1].Windows > 1, "the long text is split into windows");
            for (int i = 0; i < texts.Length; i++)
                for (int l = 0; l < 2; l++) Assert.Equal(direct[i][l], served[i].Probabilities[l], 1e-4f);

            Assert.Throws<ModelFormatException>(() => ModelLoader.Load(dir, new ModelLoadOptions { Quantize = "int8" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_bad_config_names_the_file_and_the_problem()
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-compact-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"model_type":"zhsenti-ngram","id2label":{"0":"负面","1":"正面"},"ngram_range":[1,3],"buckets":1024,"dim":4}""");
            var e = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(dir, new ModelLoadOptions()));
            Assert.Contains("config.json", e.Message);
            Assert.Contains("max_sequence_length", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
