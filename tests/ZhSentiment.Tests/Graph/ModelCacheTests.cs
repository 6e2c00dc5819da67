using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Graph;

public sealed class ModelCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-cache-").FullName;
    private readonly BertConfig _config = RandomBert.Config(16, 2, 32, 1);
    private readonly Dictionary<string, CheckpointTensor> _weights;
    private readonly string _modelDir;
    private readonly string _weightFile;
    private int _loads;

    public ModelCacheTests()
    {
        _weights = RandomBert.Weights(_config, seed: 4);
        _modelDir = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        File.WriteAllText(Path.Combine(_modelDir, "config.json"), "{\"hidden_size\": 16}");
        _weightFile = Path.Combine(_modelDir, "pytorch_model.bin");
        File.WriteAllBytes(_weightFile, [1, 2, 3, 4]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OnnxModelSource Get(ModelCache cache, BertGraphOptions? options = null) =>
        cache.GetOrBuild(_modelDir, [_weightFile], _config, options ?? BertGraphOptions.Float32, () =>
        {
            _loads++;
            return _weights;
        });

    private static float[] Logits(OnnxModelSource source)
    {
        using var model = OnnxClassifier.Load(source);
        return BertGraphBuilderTests.Run(model, [[1, 5, 9, 2]])[0];
    }

    [Fact]
    public void BuildsOnceThenServesTheSavedModel()
    {
        var cache = new ModelCache(Path.Combine(_dir, "cache"));
        var first = Get(cache);
        Assert.Equal(1, _loads);
        Assert.NotNull(first.Path);
        Assert.True(File.Exists(first.Path + ".data"), "large weights go to the external data file");
        Assert.Equal(first, Get(cache));
        Assert.Equal(1, _loads);
        Assert.Single(Directory.GetDirectories(cache.Root));

        using var inMemory = BertGraphBuilderTests.Session(_config, _weights);
        Assert.Equal(BertGraphBuilderTests.Run(inMemory, [[1, 5, 9, 2]])[0], Logits(first));
    }

    [Fact]
    public void ChangedWeightsConfigOrOptionsAreRebuilt()
    {
        var cache = new ModelCache(Path.Combine(_dir, "cache"));
        var original = Get(cache).Path;

        File.WriteAllBytes(_weightFile, [1, 2, 3, 5]);
        var afterWeights = Get(cache).Path;
        File.WriteAllText(Path.Combine(_modelDir, "config.json"), "{\"hidden_size\": 16, \"num_labels\": 2}");
        var afterConfig = Get(cache).Path;
        var int8 = Get(cache, BertGraphOptions.Int8).Path;

        Assert.Equal(4, _loads);
        Assert.Equal(4, new[] { original, afterWeights, afterConfig, int8 }.Distinct().Count());
        Assert.Equal(int8, Get(cache, BertGraphOptions.Int8).Path);
        Assert.Equal(4, _loads);
    }

    [Fact]
    public void UnwritableCacheBuildsInMemoryWithAWarning()
    {
        string blocker = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(blocker, "");
        var warnings = new List<string>();
        var source = Get(new ModelCache(Path.Combine(blocker, "cache"), warnings.Add));
        Assert.Null(source.Path);
        Assert.NotNull(source.Bytes);
        Assert.Contains("Cannot write the model cache", Assert.Single(warnings));
        using var inMemory = BertGraphBuilderTests.Session(_config, _weights);
        Assert.Equal(BertGraphBuilderTests.Run(inMemory, [[1, 5, 9, 2]])[0], Logits(source));
    }

    [Fact]
    public void UnreadableWeightFileIsNamed()
    {
        File.Delete(_weightFile);
        var e = Assert.Throws<ModelFormatException>(() => Get(new ModelCache(Path.Combine(_dir, "cache"))));
        Assert.Equal(_weightFile, e.File);
        Assert.Equal(0, _loads);
    }
}
