using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Tests.Graph;

public class OnnxModelWriterTests
{
    /// <summary>y = Gelu(x·W + b) with a com.microsoft operator, so both opset domains are exercised.</summary>
    private static OnnxGraph SmallGraph(float[] w, float[] b)
    {
        var g = new OnnxGraph("small");
        g.AddInput("x", OnnxDataType.Float, "batch", 3L);
        g.AddInitializer("w", w, 3, 2);
        g.AddInitializer("b", b, 2);
        g.AddNode("MatMul", ["x", "w"], ["xw"]);
        g.AddNode("BiasGelu", ["xw", "b"], ["y"], "com.microsoft");
        g.AddOutput("y", OnnxDataType.Float, "batch", 2L);
        return g;
    }

    private static float[] Run(InferenceSession session, float[] x)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x, [x.Length / 3, 3]);
        using var outputs = session.Run(new RunOptions(), ["x"], [input], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static float[] Expected(float[] x, float[] w, float[] b)
    {
        int rows = x.Length / 3;
        var y = new float[rows * 2];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < 2; c++)
            {
                double v = b[c];
                for (int k = 0; k < 3; k++) v += x[r * 3 + k] * w[k * 2 + c];
                y[r * 2 + c] = (float)(0.5 * v * (1 + Erf(v / Math.Sqrt(2))));
            }
        return y;
    }

    // Abramowitz-Stegun 7.1.26 is too coarse for 1e-6; use the series/continued fraction via Math functions.
    private static double Erf(double x)
    {
        double t = 1 / (1 + 0.5 * Math.Abs(x));
        double y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }

    [Fact]
    public void InlineModelRunsInOnnxRuntime()
    {
        float[] w = [0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f], b = [0.1f, -0.2f], x = [1, 2, 3, -1, 0.5f, 0];
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(SmallGraph(w, b)));
        var y = Run(session, x);
        Assert.Equal(Expected(x, w, b), y, (a, e) => Math.Abs(a - e) < 1e-5);
    }

    [Fact]
    public void ExternalWeightsAreWrittenPageAlignedBesideTheModel()
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-onnx-").FullName;
        try
        {
            float[] w = [0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f], b = [0.1f, -0.2f], x = [1, 2, 3];
            var path = Path.Combine(dir, "model.onnx");
            OnnxModelWriter.Save(SmallGraph(w, b), path, new Dictionary<string, string> { ["k"] = "v" }, externalDataThreshold: 8);
            Assert.Equal(4096 + 8, new FileInfo(path + ".data").Length);
            using var session = new InferenceSession(path);
            Assert.Equal("v", session.ModelMetadata.CustomMetadataMap["k"]);
            Assert.Equal(Expected(x, w, b), Run(session, x), (a, e) => Math.Abs(a - e) < 1e-5);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
