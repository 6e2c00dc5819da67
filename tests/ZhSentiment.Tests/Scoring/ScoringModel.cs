using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Scoring;

/// <summary>One engine on the small ModelScope fixture for the scoring tests, loaded as <c>zhsenti score</c> loads it.</summary>
public sealed class ScoringModel : IDisposable
{
    public static string Folder => Path.Combine(TestPaths.Fixtures, "models", "modelscope");

    public ScoringModel()
    {
        Directory.CreateDirectory(CacheDirectory);
        Engine = ModelLoader.Load(Folder, LoadOptions);
    }

    public string CacheDirectory { get; } = Path.Combine(Path.GetTempPath(), "zhsenti-score-tests-" + Guid.NewGuid().ToString("N"));

    public ModelLoadOptions LoadOptions => new() { CacheDirectory = CacheDirectory, Engine = new EngineOptions { QueueCapacity = int.MaxValue } };

    public SentimentEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        Directory.Delete(CacheDirectory, recursive: true);
    }
}
