using ZhSentiment.Training;

namespace ZhSentiment.Tests.Training;

public class ClassificationMetricsTests
{
    [Fact]
    public void Computes_the_confusion_matrix_and_derived_figures()
    {
        // gold:      0 0 0 0 1 1 1 1 1 1
        // predicted: 0 0 0 1 1 1 1 1 0 0
        int[] gold = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        int[] predicted = [0, 0, 0, 1, 1, 1, 1, 1, 0, 0];
        string?[] sources = ["a", "a", "b", "b", "a", "a", "b", "b", "b", null];
        var m = ClassificationMetrics.Compute(["neg", "pos"], gold, predicted, sources);
        Assert.Equal(0.7, m.Accuracy, 1e-12);
        Assert.Equal([[3, 1], [2, 4]], m.Confusion);
        Assert.Equal(0.6, m.Classes[0].Precision, 1e-12);
        Assert.Equal(0.75, m.Classes[0].Recall, 1e-12);
        Assert.Equal(0.8, m.Classes[1].Precision, 1e-12);
        Assert.Equal(4 / 6.0, m.Classes[1].Recall, 1e-12);
        double f0 = 2 * 0.6 * 0.75 / 1.35, f1 = 2 * 0.8 * (4 / 6.0) / (0.8 + 4 / 6.0);
        Assert.Equal((f0 + f1) / 2, m.MacroF1, 1e-12);
        Assert.Equal(["a", "b"], m.Sources.Select(s => s.Source));
        Assert.Equal(1.0, m.Sources[0].Accuracy);
        Assert.Equal(3 / 5.0, m.Sources[1].Accuracy, 1e-12);
    }
}
