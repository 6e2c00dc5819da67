using ZhSentiment.Compact;
using ZhSentiment.Graph.Onnx;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Training;

public class CompactGraphTests
{
    private static CompactWeights RandomWeights(int dim, int seed)
    {
        var random = new Random(seed);
        var weights = new CompactWeights(new CompactConfig { Buckets = 97, Dim = dim, MaxSequenceLength = 32 });
        for (int i = 0; i < weights.Table.Length; i++) weights.Table[i] = (float)(random.NextDouble() * 4 - 2);
        for (int i = 0; i < weights.Output.Length; i++) weights.Output[i] = (float)(random.NextDouble() * 2 - 1);
        for (int i = 0; i < weights.Bias.Length; i++) weights.Bias[i] = (float)(random.NextDouble() - 0.5);
        weights.RoundTableToHalf();
        return weights;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(0)]
    public void Onnx_logits_equal_the_direct_computation(int dim)
    {
        var weights = RandomWeights(dim, seed: dim + 1);
        int[][] rows = [[3, 96, 3, 0, 41], [7], [12, 80, 80, 55, 1, 2, 9, 90, 64, 33, 0, 5]];
        var batch = new EncodedBatch();
        batch.Reset(rows.Length, rows.Max(r => r.Length));
        for (int r = 0; r < rows.Length; r++) batch.SetRow(r, rows[r]);

        using var classifier = OnnxClassifier.Load(OnnxModelWriter.ToBytes(CompactGraphBuilder.Build(weights), CompactGraphBuilder.Metadata(weights.Config)), "compact");
        Assert.Equal(32, classifier.MaxSequenceLength);
        var logits = new float[rows.Length * 2];
        classifier.Run(batch, logits);

        var expected = new float[2];
        var pooled = new float[weights.RowWidth];
        for (int r = 0; r < rows.Length; r++)
        {
            weights.Logits(rows[r], expected, pooled);
            Assert.Equal(expected[0], logits[r * 2], 1e-5f);
            Assert.Equal(expected[1], logits[r * 2 + 1], 1e-5f);
        }
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
                Model = new CompactConfig { Buckets = 2048, Dim = 4, MaxSequenceLength = 16 },
            }).Train(train);
            CompactModel.Save(weights, dir);
            Assert.Equal(ModelFolderKind.Compact, ModelFolder.Inspect(dir).Kind);

            using var engine = ModelLoader.Load(dir, new ModelLoadOptions { Threads = 1 });
            Assert.Equal("zhsenti-ngram", engine.Info.Architecture);
            var texts = TestData.Generate(50, seed: 12).Select(e => e.Text).Append(new string('好', 40) + "很差").ToArray();
            var direct = ZhSentiment.Training.CompactTrainer.Predict(weights, texts);
            var served = engine.Predict(texts);
            Assert.True(served[^1].Windows > 1, "the long text is split into windows");
            Assert.Equal(direct, served.Select(r => r.LabelIndex));

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
