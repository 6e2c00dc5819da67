using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;
using ZhSentiment.Graph.Onnx;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Graph;

public class BertGraphBuilderTests
{
    internal static OnnxClassifier Session(BertConfig config, IReadOnlyDictionary<string, CheckpointTensor> weights, BertGraphOptions? options = null)
    {
        options ??= BertGraphOptions.Float32;
        var graph = BertGraphBuilder.Build(config, weights, options);
        return OnnxClassifier.Load(OnnxModelWriter.ToBytes(graph, BertGraphBuilder.Metadata(config, options)), "test model");
    }

    /// <summary>Runs the rows as one right-padded batch of <paramref name="length"/> (default: the longest row).</summary>
    internal static float[][] Run(OnnxClassifier model, IReadOnlyList<int[]> rows, int? length = null, IReadOnlyList<int[]>? types = null)
    {
        var batch = new EncodedBatch();
        batch.Reset(rows.Count, length ?? rows.Max(r => r.Length));
        for (int r = 0; r < rows.Count; r++)
        {
            batch.SetRow(r, rows[r]);
            types?[r].CopyTo(batch.TokenTypeIds, r * batch.SequenceLength);
        }
        var logits = new float[rows.Count * model.LabelCount];
        model.Run(batch, logits);
        return logits.Chunk(model.LabelCount).ToArray();
    }

    public static TheoryData<int, int, int, int, BertActivation> Shapes => new()
    {
        { 16, 1, 32, 1, BertActivation.Gelu },
        { 32, 2, 64, 2, BertActivation.Gelu },
        { 64, 4, 128, 2, BertActivation.Gelu },
        { 48, 4, 96, 3, BertActivation.Relu },
        { 32, 2, 80, 2, BertActivation.GeluTanh },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LogitsMatchTheReferenceForwardOnPaddedBatches(int hidden, int heads, int intermediate, int layers, BertActivation activation)
    {
        var config = RandomBert.Config(hidden, heads, intermediate, layers, labels: 3, activation: activation);
        var weights = RandomBert.Weights(config, seed: hidden * 31 + layers);
        var reference = new ReferenceBert(config, weights);
        using var model = Session(config, weights);
        var random = new Random(hidden);

        foreach (int[] lengths in new[] { new[] { 1 }, new[] { 5, 2, 9 }, new[] { 13, 13 }, new[] { 3, 40, 17, 1 } })
        {
            var rows = lengths.Select(n => RandomBert.Tokens(random, n, config.VocabSize)).ToArray();
            var types = lengths.Select(n => Enumerable.Range(0, n).Select(i => i >= n / 2 ? 1 : 0).ToArray()).ToArray();
            var actual = Run(model, rows, types: types);
            for (int r = 0; r < rows.Length; r++)
            {
                var expected = reference.Logits(rows[r], types[r]);
                Assert.True(expected.Select(Math.Abs).Max() > 0.1, "degenerate logits make the comparison meaningless");
                for (int l = 0; l < expected.Length; l++)
                    Assert.True(Math.Abs(actual[r][l] - expected[l]) < 1e-4,
                        $"row {r} (length {rows[r].Length}) logit {l}: {actual[r][l]} vs reference {expected[l]}");
            }
        }
    }

    [Fact]
    public void PaddingAndNeighboursDoNotChangeARow()
    {
        var config = RandomBert.Config(32, 4, 64, 2);
        using var model = Session(config, RandomBert.Weights(config, seed: 7));
        var random = new Random(3);
        var row = RandomBert.Tokens(random, 6, config.VocabSize);
        var alone = Run(model, [row])[0];
        var padded = Run(model, [row], length: 30)[0];
        var inBatch = Run(model, [RandomBert.Tokens(random, 25, config.VocabSize), row, RandomBert.Tokens(random, 2, config.VocabSize)])[1];
        Assert.Equal(alone, padded, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(alone, inBatch, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.NotEqual(alone, Run(model, [RandomBert.Tokens(random, 6, config.VocabSize)])[0], (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void AcceptsUnprefixedNamesTensorFlowLayerNormNamesAndHalfPrecision()
    {
        var config = RandomBert.Config(16, 2, 32, 1);
        var weights = RandomBert.Weights(config, seed: 11);
        var renamed = new Dictionary<string, CheckpointTensor>();
        foreach (var (name, t) in weights)
        {
            string n = name.StartsWith("bert.", StringComparison.Ordinal) ? name["bert.".Length..] : name;
            n = n.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta");
            renamed[n] = t;
        }
        // Extra tensors a checkpoint may carry are ignored.
        renamed["embeddings.position_ids"] = new CheckpointTensor("embeddings.position_ids", TensorDType.Int64, [1, 64], new byte[64 * 8]);
        renamed["cls.predictions.bias"] = new CheckpointTensor("cls.predictions.bias", new float[100], 100);
        var halfPooler = weights["bert.pooler.dense.weight"].ToFloat32().Select(v => (Half)v).ToArray();
        weights["bert.pooler.dense.weight"] = new CheckpointTensor("bert.pooler.dense.weight", halfPooler.Select(v => (float)v).ToArray(), 16, 16);
        renamed["pooler.dense.weight"] = new CheckpointTensor("pooler.dense.weight", TensorDType.Float16, [16, 16],
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(halfPooler.AsSpan()).ToArray());

        var rows = new[] { RandomBert.Tokens(new Random(1), 7, config.VocabSize) };
        using var original = Session(config, weights);
        using var variant = Session(config, renamed);
        Assert.Equal(Run(original, rows)[0], Run(variant, rows)[0]);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        var config = RandomBert.Config(16, 2, 32, 2);
        var weights = RandomBert.Weights(config, seed: 1);
        weights.Remove("bert.encoder.layer.1.intermediate.dense.bias");
        var e = Assert.Throws<ModelFormatException>(() => BertGraphBuilder.Build(config, weights, source: "pytorch_model.bin"));
        Assert.Equal("pytorch_model.bin", e.File);
        Assert.Contains("missing tensor 'bert.encoder.layer.1.intermediate.dense.bias'", e.Message);
    }

    [Fact]
    public void MisshapedTensorGivesExpectedAndActualShape()
    {
        var config = RandomBert.Config(16, 2, 32, 1);
        var weights = RandomBert.Weights(config, seed: 1);
        weights["bert.encoder.layer.0.attention.self.key.weight"] = new CheckpointTensor("bert.encoder.layer.0.attention.self.key.weight", new float[16 * 8], 8, 16);
        var e = Assert.Throws<ModelFormatException>(() => BertGraphBuilder.Build(config, weights, source: "model.safetensors"));
        Assert.Equal("model.safetensors: tensor 'bert.encoder.layer.0.attention.self.key.weight' has shape [8,16], expected [16,16]", e.Message);
    }

    [Fact]
    public void ClassifierMustMatchTheConfiguredLabels()
    {
        var weights = RandomBert.Weights(RandomBert.Config(16, 2, 32, 1, labels: 3), seed: 1);
        var e = Assert.Throws<ModelFormatException>(() => BertGraphBuilder.Build(RandomBert.Config(16, 2, 32, 1, labels: 2), weights));
        Assert.Contains("'classifier.weight' has shape [3,16], expected [2,16]", e.Message);
    }

    [Fact]
    public void IntegerTensorIsRefused()
    {
        var config = RandomBert.Config(16, 2, 32, 1);
        var weights = RandomBert.Weights(config, seed: 1);
        weights["bert.pooler.dense.bias"] = new CheckpointTensor("bert.pooler.dense.bias", TensorDType.Int32, [16], new byte[64]);
        var e = Assert.Throws<ModelFormatException>(() => BertGraphBuilder.Build(config, weights));
        Assert.Contains("'bert.pooler.dense.bias' holds Int32, expected floating-point values", e.Message);
    }
}
