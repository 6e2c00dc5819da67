using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Scoring;

/// <summary>One engine for a test class, loaded as <c>zhsenti score</c> loads it (queue unbounded, private model cache).</summary>
public abstract class ScoringModel : IDisposable
{
    protected ScoringModel(string folder)
    {
        Folder = folder;
        Directory.CreateDirectory(CacheDirectory);
        Engine = ModelLoader.Load(Folder, LoadOptions);
    }

    public string Folder { get; }

    public string CacheDirectory { get; } = Path.Combine(Path.GetTempPath(), "zhsenti-score-tests-" + Guid.NewGuid().ToString("N"));

    public ModelLoadOptions LoadOptions => new() { CacheDirectory = CacheDirectory, Engine = new EngineOptions { QueueCapacity = int.MaxValue } };

    public SentimentEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        Directory.Delete(CacheDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The small random StructBERT checkpoint of the fixtures: the full checkpoint-to-ONNX path.</summary>
public sealed class FixtureBertModel() : ScoringModel(Path.Combine(TestPaths.Fixtures, "models", "modelscope"));

/// <summary>The shipped compact model, much faster per row: for the tests that push many rows.</summary>
public sealed class ShippedScoringModel() : ScoringModel(Path.Combine(TestPaths.RepoRoot, "models", "default"));
