using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;

namespace ZhSentiment.Tests.Graph;

/// <summary>The stamps that let a start skip hashing an unchanged checkpoint, and what makes them miss.</summary>
public sealed class ModelCacheStampTests : IDisposable
{
    private static readonly DateTime LongAgo = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-stamp-").FullName;
    private readonly BertConfig _config = RandomBert.Config(16, 2, 32, 1);
    private readonly Dictionary<string, CheckpointTensor> _weights;
    private readonly string _modelDir;
    private readonly string _configFile;
    private readonly string _weightFile;
    private readonly ModelCache _cache;
    private int _loads;

    public ModelCacheStampTests()
    {
        _weights = RandomBert.Weights(_config, seed: 4);
        _modelDir = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        _configFile = Path.Combine(_modelDir, "config.json");
        _weightFile = Path.Combine(_modelDir, "pytorch_model.bin");
        File.WriteAllText(_configFile, "{\"hidden_size\": 16}");
        WriteWeights([1, 2, 3, 4], LongAgo);
        File.SetLastWriteTimeUtc(_configFile, LongAgo);
        _cache = new ModelCache(Path.Combine(_dir, "cache"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteWeights(byte[] content, DateTime modified)
    {
        File.WriteAllBytes(_weightFile, content);
        File.SetLastWriteTimeUtc(_weightFile, modified);
    }

    private string Get(BertGraphOptions? options = null) =>
        _cache.GetOrBuild(_modelDir, [_weightFile], _config, options ?? BertGraphOptions.Float32, () =>
        {
            _loads++;
            return _weights;
        }).Path!;

    private string[] Stamps() => Directory.GetFiles(_cache.Root, "*.stamp");

    [Fact]
    public void UnchangedFilesAreFoundThroughTheirStampWithoutHashing()
    {
        string built = Get();
        string stamp = Assert.Single(Stamps());
        Assert.Equal(Path.GetFileName(Path.GetDirectoryName(built)), File.ReadAllText(stamp).Trim());

        // Same size and modification time but other bytes: only a lookup that skips hashing keeps the old entry.
        WriteWeights([9, 9, 9, 9], LongAgo);
        Assert.Equal(built, Get());
        Assert.Equal(1, _loads);
    }

    [Fact]
    public void ChangedWeightsMissTheStampAndAreRebuilt()
    {
        string original = Get();
        WriteWeights([1, 2, 3, 5], LongAgo.AddSeconds(1));
        string rebuilt = Get();
        Assert.NotEqual(original, rebuilt);
        Assert.Equal(2, _loads);
        Assert.Equal(2, Stamps().Length);
        Assert.Equal(rebuilt, Get());
        Assert.Equal(2, _loads);
    }

    [Fact]
    public void ChangedConfigMissesTheStamp()
    {
        string original = Get();
        File.WriteAllText(_configFile, "{\"hidden_size\": 16, \"num_labels\": 2}");
        File.SetLastWriteTimeUtc(_configFile, LongAgo.AddSeconds(1));
        Assert.NotEqual(original, Get());
        Assert.Equal(2, _loads);
    }

    [Fact]
    public void TouchedButIdenticalWeightsAreHashedAgainAndReuseTheEntry()
    {
        string original = Get();
        File.SetLastWriteTimeUtc(_weightFile, LongAgo.AddDays(1));
        Assert.Equal(original, Get());
        Assert.Equal(1, _loads);
        Assert.Equal(2, Stamps().Length);
    }

    [Fact]
    public void StampsAreKeptPerBuildOption()
    {
        string fp32 = Get();
        string int8 = Get(BertGraphOptions.Int8);
        Assert.NotEqual(fp32, int8);
        Assert.Equal(2, Stamps().Length);
        Assert.Equal(int8, Get(BertGraphOptions.Int8));
        Assert.Equal(fp32, Get());
        Assert.Equal(2, _loads);
    }

    [Fact]
    public void RecentlyWrittenFilesGetNoStamp()
    {
        WriteWeights([1, 2, 3, 4], DateTime.UtcNow);
        Get();
        Assert.Empty(Stamps());
    }

    [Fact]
    public void DamagedStampOrMissingEntryFallsBackToHashing()
    {
        string built = Get();
        string stamp = Assert.Single(Stamps());

        File.WriteAllText(stamp, "not a key");
        Assert.Equal(built, Get());
        Assert.Equal(1, _loads);
        Assert.Equal(Path.GetFileName(Path.GetDirectoryName(built)), File.ReadAllText(stamp).Trim());

        Directory.Delete(Path.GetDirectoryName(built)!, recursive: true);
        Assert.Equal(built, Get());
        Assert.Equal(2, _loads);
    }
}
