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
        foreach (var values in new[] { weights.Linear, weights.Embeddings, weights.Output, weights.ConvKernel, weights.ConvBias, weights.ConvOutput, weights.Bias })
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        weights.RoundTablesToHalf();
        return weights;
    }

    public static TheoryData<int, int, int, bool> Shapes => new()
    {
        // dim, conv filters, labels, calibrated
        { 0, 0, 2, false },
        { 5, 0, 2, true },
        { 5, 3, 2, false },
        { 0, 0, 3, true },
        { 6, 4, 3, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Onnx_logits_equal_the_direct_computation(int dim, int filters, int labels, bool calibrated)
    {
        var config = new CompactConfig
        {
            Labels = labels == 2 ? ["负面", "正面"] : ["负面", "中性", "正面"],
            Buckets = 97, EmbeddingRows = 13, Dim = dim, ConvFilters = filters, ConvWidth = 4, MaxSequenceLength = 32,
            HeadTemperatures = calibrated ? [.. Enumerable.Range(0, labels - 1).Select(h => 1.7f + h)] : [],
        };
        var weights = RandomWeights(config, seed: dim * 10 + filters + labels);
        int[][] rows = [[3, 96, 3, 0, 41], [7], [12, 80, 80, 55, 1, 2, 9, 90, 64, 33, 0, 5]];
        var batch = new EncodedBatch();
        batch.Reset(rows.Length, rows.Max(r => r.Length));
        for (int r = 0; r < rows.Length; r++) batch.SetRow(r, rows[r]);

        using var classifier = OnnxClassifier.Load(OnnxModelWriter.ToBytes(CompactGraphBuilder.Build(weights), CompactGraphBuilder.Metadata(weights.Config)), "compact");
        Assert.Equal(32, classifier.MaxSequenceLength);
        Assert.Equal(labels, classifier.LabelCount);
        var logits = new float[rows.Length * labels];
        classifier.Run(batch, logits);

        var expected = new float[labels];
        var scratch = new CompactWeights.Scratch(weights);
        for (int r = 0; r < rows.Length; r++)
        {
            weights.Logits(rows[r], expected, scratch);
            for (int l = 0; l < labels; l++) Assert.Equal(expected[l], logits[r * labels + l], 1e-4f);
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
