using Microsoft.ML.OnnxRuntime;
using ZhSentiment.Graph;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Tests.Graph;

public class Int8QuantizationTests
{
    [Theory]
    [InlineData((int)Int8Weights.UInt8)]
    [InlineData((int)Int8Weights.Int7)]
    [InlineData((int)Int8Weights.Int8)]
    public void QuantizedColumnsReconstructTheWeights(int schemeValue)
    {
        var scheme = (Int8Weights)schemeValue;
        var random = new Random(5);
        int k = 40, n = 7;
        var w = new float[k * n];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 2 - 1) * (1 + i % n);
        w[3] = 0; // an all-zero column must not divide by zero
        for (int r = 0; r < k; r++) w[r * n + 3] = 0;
        var q = WeightQuantizer.Quantize(w, k, n, scheme);
        Assert.Equal(scheme != Int8Weights.UInt8, q.Signed);
        for (int r = 0; r < k; r++)
            for (int c = 0; c < n; c++)
            {
                int value = q.Signed ? (sbyte)q.Data[r * n + c] : q.Data[r * n + c];
                float restored = (value - (q.Signed ? 0 : q.ZeroPoints[c])) * q.Scales[c];
                Assert.True(Math.Abs(restored - w[r * n + c]) <= q.Scales[c] / 2 + 1e-6, $"[{r},{c}]: {restored} vs {w[r * n + c]}");
                Assert.InRange(value, scheme == Int8Weights.Int7 ? -63 : -127, scheme == Int8Weights.Int7 ? 63 : 255);
            }
        if (scheme == Int8Weights.Int8) Assert.Equal(127, q.Data.Max(b => Math.Abs((int)(sbyte)b)));
    }

    /// <summary>
    /// All-positive activations quantize to 255, and weights at the top of their range make every pair of
    /// u8×s8 products exceed int16 if the weights used the full signed range: the 16-bit kernels ORT uses on
    /// x86 CPUs without VNNI would saturate and return a wrong product. Neither the portable scheme
    /// (<see cref="BertGraphOptions.Int8"/>) nor the one chosen for this CPU may.
    /// </summary>
    [Fact]
    public void TheBuildersInt8MatMulIsExactWhereFullRangeSignedWeightsWouldSaturate()
    {
        AssertExact(BertGraphOptions.Int8.WeightScheme);
        AssertExact(BertGraphOptions.Int8ForThisCpu.WeightScheme);
    }

    /// <summary>The probe's verdict is the CPU's: 32-bit int8 accumulation where it has VNNI (or AMX), none elsewhere.</summary>
    [Fact]
    public void FullRangeWeightsAreChosenExactlyWhereTheCpuHasVnni()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && System.Runtime.Intrinsics.X86.X86Base.IsSupported, "reads x86 flags from /proc/cpuinfo");
        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
        bool vnni = flags.Contains("avx512_vnni") || flags.Contains("avx_vnni") || flags.Contains("amx_int8");
        Assert.Equal(vnni, CpuInt8.FullRangeIsExact);
        Assert.Equal(vnni ? Int8Weights.Int8 : Int8Weights.Int7, BertGraphOptions.Int8ForThisCpu.WeightScheme);
        Assert.Equal(Int8Weights.Int7, BertGraphOptions.Int8.WeightScheme);
    }

    /// <summary>
    /// The scheme is part of the cache key and of the model's metadata, so a cache entry built on one kind of CPU is
    /// never taken for the other's; a full-range model refuses to load where it would saturate.
    /// </summary>
    [Fact]
    public void TheWeightSchemeIsRecordedInTheModelAndTheCacheKey()
    {
        var fullRange = BertGraphOptions.Int8 with { WeightScheme = Int8Weights.Int8 };
        Assert.NotEqual(BertGraphOptions.Int8.Describe(), fullRange.Describe());
        Assert.Equal(Int8Weights.Int8, BertGraphOptions.WeightSchemeOf(fullRange.Describe()));
        Assert.Equal(Int8Weights.Int7, BertGraphOptions.WeightSchemeOf(BertGraphOptions.Int8.Describe()));
        Assert.Null(BertGraphOptions.WeightSchemeOf(BertGraphOptions.Float32.Describe()));

        var config = RandomBert.Config(32, 2, 64, 1, vocab: 100, labels: 2);
        var weights = RandomBert.Weights(config, seed: 2, attentionGain: 1);
        using (var portable = BertGraphBuilderTests.Session(config, weights, BertGraphOptions.Int8))
            Assert.Equal("7-bit", portable.Int8Weights);
        if (CpuInt8.FullRangeIsExact)
        {
            using var full = BertGraphBuilderTests.Session(config, weights, fullRange);
            Assert.Equal(("int8", "full-range"), (full.Quantization, full.Int8Weights));
        }
        else
        {
            var e = Assert.Throws<ModelFormatException>(() => BertGraphBuilderTests.Session(config, weights, fullRange));
            Assert.Contains("full-range int8 weights", e.Message);
        }
    }

    private static void AssertExact(Int8Weights scheme)
    {
        int m = 8, k = 256, n = 16;
        var weights = new float[k * n];
        for (int r = 0; r < k; r++)
            for (int c = 0; c < n; c++)
                weights[r * n + c] = c % 2 == 0 ? 0.5f : -0.5f;
        var q = WeightQuantizer.Quantize(weights, k, n, scheme);

        var g = new OnnxGraph("matmul");
        g.AddInput("a", OnnxDataType.Float, "m", (long)k);
        var type = q.Signed ? OnnxDataType.Int8 : OnnxDataType.UInt8;
        g.AddInitializer("b", type, [k, n], q.Data);
        g.AddInitializer("scale", q.Scales, n);
        g.AddInitializer("zero_point", type, [n], q.ZeroPoints);
        g.AddNode("DynamicQuantizeMatMul", ["a", "b", "scale", "zero_point"], ["y"], "com.microsoft");
        g.AddOutput("y", OnnxDataType.Float, "m", (long)n);

        var a = Enumerable.Repeat(2f, m * k).ToArray();
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(g));
        using var input = OrtValue.CreateTensorValueFromMemory(a, [m, k]);
        using var outputs = session.Run(new RunOptions(), ["a"], [input], ["y"]);
        var y = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(i % 2 == 0 ? 256f : -256f, y[i], 0.01f);
    }

    /// <summary>
    /// Random weights at unit gain (each layer keeps activations of order one, as trained BERT layers do); sharper
    /// random attention than trained models have makes quantization errors flip more near-ties.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Int8ModelAgreesWithFloat32OnTheArgmax(bool forThisCpu)
    {
        var config = RandomBert.Config(64, 4, 128, 2, vocab: 200, labels: 2);
        var weights = RandomBert.Weights(config, seed: 21, attentionGain: 1);
        using var fp32 = BertGraphBuilderTests.Session(config, weights);
        using var int8 = BertGraphBuilderTests.Session(config, weights, forThisCpu ? BertGraphOptions.Int8ForThisCpu : BertGraphOptions.Int8);
        var random = new Random(8);
        var rows = Enumerable.Range(0, 400).Select(_ => RandomBert.Tokens(random, random.Next(2, 48), config.VocabSize)).ToArray();

        int agree = 0;
        double worst = 0;
        foreach (var chunk in rows.Chunk(16))
        {
            var expected = BertGraphBuilderTests.Run(fp32, chunk);
            var actual = BertGraphBuilderTests.Run(int8, chunk);
            for (int r = 0; r < chunk.Length; r++)
            {
                if (ArgMax(expected[r]) == ArgMax(actual[r])) agree++;
                worst = Math.Max(worst, expected[r].Zip(actual[r], (e, a) => Math.Abs(e - a)).Max());
            }
        }
        Assert.True(agree >= 0.99 * rows.Length, $"int8 agrees with fp32 on {agree} of {rows.Length} rows");
        Assert.True(worst < 0.5, $"largest logit difference {worst}");
        Assert.True(worst > 0, "the int8 graph computed exactly the float32 logits: it cannot be quantized");
    }

    [Fact]
    public void QuantizedTableRowsReconstructTheTable()
    {
        var random = new Random(3);
        int rows = 30, n = 9;
        var w = new float[rows * n];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 2 - 1) * (1 + i / n);
        Array.Clear(w, 4 * n, n); // an all-zero row must not divide by zero
        var (q, scales) = WeightQuantizer.QuantizeRows(w, rows, n);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < n; c++)
            {
                Assert.InRange(q[r * n + c], -127, 127);
                float restored = q[r * n + c] * scales[r];
                Assert.True(Math.Abs(restored - w[r * n + c]) <= scales[r] / 2 + 1e-6, $"[{r},{c}]: {restored} vs {w[r * n + c]}");
            }
        Assert.Equal(127, q.Skip(7 * n).Take(n).Max(v => Math.Abs((int)v))); // each row uses the full range
    }

    /// <summary>
    /// The int8 graph holds the word-embedding table as int8 rows, not float, and its own embedding arithmetic
    /// (dequantize, positions, token types, LayerNorm) gives the float graph's logits on both segments.
    /// </summary>
    [Fact]
    public void Int8GraphStoresTheWordTableAsBytesAndKeepsTokenTypesAndPositions()
    {
        var config = RandomBert.Config(64, 2, 128, 2, vocab: 300, labels: 3);
        var weights = RandomBert.Weights(config, seed: 4, attentionGain: 1);
        var graph = BertGraphBuilder.Build(config, weights, BertGraphOptions.Int8);
        var table = Assert.Single(graph.Initializers, i => i.Name == "word_embeddings_q");
        Assert.Equal(OnnxDataType.Int8, table.Type);
        Assert.Equal(new long[] { config.VocabSize, config.HiddenSize }, table.Dims);
        Assert.DoesNotContain(graph.Initializers, i => i.Type == OnnxDataType.Float && i.Dims.SequenceEqual(table.Dims));

        using var fp32 = BertGraphBuilderTests.Session(config, weights);
        using var int8 = BertGraphBuilderTests.Session(config, weights, BertGraphOptions.Int8);
        var random = new Random(9);
        var rows = Enumerable.Range(0, 8).Select(_ => RandomBert.Tokens(random, 40, config.VocabSize)).ToArray();
        var types = rows.Select(r => r.Select((_, i) => i < 20 ? 0 : 1).ToArray()).ToArray();
        var expected = BertGraphBuilderTests.Run(fp32, rows, types: types);
        var actual = BertGraphBuilderTests.Run(int8, rows, types: types);
        var untyped = BertGraphBuilderTests.Run(int8, rows);
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.True(expected[r].Zip(actual[r], (e, a) => Math.Abs(e - a)).Max() < 0.1, $"row {r}: {string.Join(",", expected[r])} vs {string.Join(",", actual[r])}");
            Assert.NotEqual(untyped[r], actual[r]); // the second segment's token type reached the model
        }
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
}
