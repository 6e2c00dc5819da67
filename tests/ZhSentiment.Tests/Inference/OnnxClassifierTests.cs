using ZhSentiment.Graph.Onnx;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

public class OnnxClassifierTests
{
    /// <summary>
    /// A stand-in for a torch.onnx.export: int64 inputs in its own order, no token_type_ids, output not named
    /// logits. It computes [Σ ids·mask, Σ mask] per row, so a mis-bound input shows in the numbers.
    /// </summary>
    private static byte[] ExternalStyleModel(bool withTokenTypes = false)
    {
        var g = new OnnxGraph("export");
        g.AddInput("attention_mask", OnnxDataType.Int64, "batch", "sequence");
        g.AddInput("input_ids", OnnxDataType.Int64, "batch", "sequence");
        string axes = g.AddInitializer("axes", new long[] { 1 }, 1);
        string ids = "input_ids";
        if (withTokenTypes)
        {
            g.AddInput("token_type_ids", OnnxDataType.Int64, "batch", "sequence");
            ids = g.AddNode("Add", ["input_ids", g.AddNode("Mul", ["token_type_ids", g.AddInitializer("thousand", new long[] { 1000 })], ["types_scaled"])], ["ids_plus_types"]);
        }
        string masked = g.AddNode("Cast", [g.AddNode("Mul", [ids, "attention_mask"], ["masked_ids"])], ["masked_f"], "", OnnxAttribute.Int("to", 1));
        string count = g.AddNode("Cast", ["attention_mask"], ["mask_f"], "", OnnxAttribute.Int("to", 1));
        g.AddNode("Concat",
        [
            g.AddNode("ReduceSum", [masked, axes], ["id_sum"], "", OnnxAttribute.Int("keepdims", 1)),
            g.AddNode("ReduceSum", [count, axes], ["length"], "", OnnxAttribute.Int("keepdims", 1)),
        ], ["output"], "", OnnxAttribute.Int("axis", 1));
        g.AddOutput("output", OnnxDataType.Float, "batch", 2L);
        return OnnxModelWriter.ToBytes(g);
    }

    private static EncodedBatch Batch(params int[][] rows)
    {
        var batch = new EncodedBatch();
        batch.Reset(rows.Length, rows.Max(r => r.Length));
        for (int r = 0; r < rows.Length; r++) batch.SetRow(r, rows[r]);
        return batch;
    }

    [Fact]
    public void BindsAnInt64ExportByNameWithoutTokenTypes()
    {
        using var model = OnnxClassifier.Load(ExternalStyleModel(), "export.onnx");
        Assert.Equal(2, model.LabelCount);
        Assert.Equal(512, model.MaxSequenceLength);
        var logits = new float[6];
        model.Run(Batch([101, 5, 102], [101, 102], [7]), logits);
        Assert.Equal([208f, 3, 203, 2, 7, 1], logits);
        // Buffers are reused across calls of different shapes.
        model.Run(Batch([1, 2, 3, 4, 5]), logits.AsSpan(0, 2));
        Assert.Equal([15f, 5], logits[..2]);
    }

    [Fact]
    public void PassesTokenTypeIds()
    {
        using var model = OnnxClassifier.Load(ExternalStyleModel(withTokenTypes: true), "export.onnx");
        var batch = Batch([1, 2, 3]);
        batch.TokenTypeIds[2] = 1;
        var logits = new float[2];
        model.Run(batch, logits);
        Assert.Equal([1006f, 3], logits);
    }

    /// <summary>
    /// A call wraps the caller's buffers in OrtValues and reuses the int64 buffers: what remains is ORT's own
    /// per-call bookkeeping (about 0.6 KB), not a copy of the batch (12 KB of int64 here) or of the logits.
    /// </summary>
    [Fact]
    public void SteadyStateRunsAllocateNoBatchSizedBuffers()
    {
        using var model = OnnxClassifier.Load(ExternalStyleModel(withTokenTypes: true), "export.onnx");
        var batch = Batch(Enumerable.Range(1, 128).ToArray(), [1, 2, 3], [4], [5, 6]);
        var logits = new float[8];
        for (int i = 0; i < 3; i++) model.Run(batch, logits);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) model.Run(batch, logits);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 50;
        Assert.True(perCall < 1500, $"{perCall} bytes allocated per call");
    }

    [Fact]
    public void RefusesALongerRowThanTheLimitAndTooFewLogits()
    {
        using var model = OnnxClassifier.Load(ExternalStyleModel(), "export.onnx", new OnnxClassifierOptions { MaxSequenceLength = 4 });
        Assert.Throws<ArgumentException>(() => model.Run(Batch([1, 2, 3, 4, 5]), new float[2]));
        Assert.Throws<ArgumentException>(() => model.Run(Batch([1], [2]), new float[3]));
    }

    [Fact]
    public void UnloadableFileIsAModelFormatError()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("zhsenti-onnx-").FullName, "broken.onnx");
        try
        {
            File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
            var e = Assert.Throws<ModelFormatException>(() => OnnxClassifier.Load(path));
            Assert.Equal(path, e.File);
            Assert.StartsWith("ONNX Runtime cannot load the model:", e.Problem);
            Assert.DoesNotContain('\n', e.Message);
            Assert.Equal("does not exist", Assert.Throws<ModelFormatException>(() => OnnxClassifier.Load(path + ".missing")).Problem);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void UnbindableInputsAndOutputsAreModelFormatErrors()
    {
        var g = new OnnxGraph("vision");
        g.AddInput("pixel_values", OnnxDataType.Float, "batch", 3L);
        g.AddNode("Identity", ["pixel_values"], ["logits"]);
        g.AddOutput("logits", OnnxDataType.Float, "batch", 3L);
        var e = Assert.Throws<ModelFormatException>(() => OnnxClassifier.Load(OnnxModelWriter.ToBytes(g), "vision.onnx"));
        Assert.Equal("vision.onnx: model input 'pixel_values' cannot be bound (known inputs: input_ids, attention_mask, token_type_ids)", e.Message);

        var f = new OnnxGraph("float ids");
        f.AddInput("input_ids", OnnxDataType.Float, "batch", "sequence");
        f.AddInput("attention_mask", OnnxDataType.Int64, "batch", "sequence");
        f.AddNode("Identity", ["input_ids"], ["logits"]);
        f.AddOutput("logits", OnnxDataType.Float, "batch", "sequence");
        e = Assert.Throws<ModelFormatException>(() => OnnxClassifier.Load(OnnxModelWriter.ToBytes(f), "f.onnx"));
        Assert.Equal("f.onnx: model input 'input_ids' must be an int32 or int64 [batch, sequence] tensor, not Float [batch,sequence]", e.Message);

        var o = new OnnxGraph("symbolic labels");
        o.AddInput("input_ids", OnnxDataType.Int64, "batch", "sequence");
        o.AddInput("attention_mask", OnnxDataType.Int64, "batch", "sequence");
        o.AddNode("Cast", ["input_ids"], ["logits"], "", OnnxAttribute.Int("to", 1));
        o.AddOutput("logits", OnnxDataType.Float, "batch", "sequence");
        e = Assert.Throws<ModelFormatException>(() => OnnxClassifier.Load(OnnxModelWriter.ToBytes(o), "o.onnx"));
        Assert.Contains("model output 'logits' must be a float [batch, labels] tensor with a fixed label count, not Float [batch,sequence]", e.Message);
    }
}
