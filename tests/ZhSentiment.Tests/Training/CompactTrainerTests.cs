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
}
