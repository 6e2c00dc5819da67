using ZhSentiment.Inference;
using ZhSentiment.Training;

namespace ZhSentiment.Tests.Training;

/// <summary>The model in models/default, run through the engine as the service runs it.</summary>
public class ShippedModelTests
{
    /// <summary>Recorded in models/default/README.md; <c>zhsenti eval</c> measures the same figures.</summary>
    private const double DevAccuracy = 0.9043, BehaviourAccuracy = 0.79;

    private static readonly string ModelDir = Path.Combine(TestPaths.RepoRoot, "models", "default");

    private static (double Accuracy, List<string> Misses) Measure(string dataPath)
    {
        var data = LabelledDataset.Read(dataPath);
        Assert.Equal(0, data.BadRowCount);
        using var engine = ModelLoader.Load(ModelDir, new ModelLoadOptions { Threads = 1 });
        var results = engine.Predict([.. data.Examples.Select(e => e.Text)]);
        var misses = new List<string>();
        for (int i = 0; i < results.Length; i++)
            if ((results[i].Label == LabelSet.Positive ? 1 : 0) != data.Examples[i].Label)
                misses.Add($"{data.Examples[i].Source}: {data.Examples[i].Text} → {results[i].Label}");
        return (1 - (double)misses.Count / results.Length, misses);
    }

    [Fact]
    public void Reaches_its_recorded_dev_accuracy()
    {
        var (accuracy, _) = Measure(TestPaths.RequireShared("data/sentiment/dev.tsv"));
        Assert.True(accuracy >= DevAccuracy, $"dev accuracy {accuracy:P2} < {DevAccuracy:P2}");
    }

    [Fact]
    public void Reaches_its_stated_accuracy_on_the_behavioural_set()
    {
        var path = Path.Combine(TestPaths.Fixtures, "behaviour", "cases.tsv");
        var (accuracy, misses) = Measure(path);
        Assert.True(File.ReadLines(path).Count() > 40);
        Assert.True(accuracy >= BehaviourAccuracy, $"behavioural accuracy {accuracy:P1}; misses:\n{string.Join("\n", misses)}");
        TestContext.Current.SendDiagnosticMessage($"behavioural accuracy {accuracy:P1}; misses:\n{string.Join("\n", misses)}");
    }
}
