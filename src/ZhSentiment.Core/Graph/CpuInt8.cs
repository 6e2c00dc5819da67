using Microsoft.ML.OnnxRuntime;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Graph;

/// <summary>
/// Which int8 weights this CPU's ONNX Runtime kernels multiply exactly, decided once per process by asking ORT itself:
/// a u8·s8 DynamicQuantizeMatMul whose pairs of products overflow 16 bits (255·127 + 255·127). With VNNI
/// (AVX512-VNNI or AVX-VNNI: vpdpbusd adds each product into 32 bits) or AMX the answer is exact and full-range
/// weights are safe; the AVX2 and AVX512-core kernels (vpmaddubsw) saturate it, and there only 7-bit weights are.
/// Asking the kernels, rather than reading CPU flags, also covers a build of ORT that dispatches otherwise.
/// </summary>
internal static class CpuInt8
{
    private static readonly Lazy<bool> s_exact = new(ProbeFullRangeIsExact);

    /// <summary>True when ORT's u8·s8 products accumulate in 32 bits on this CPU.</summary>
    public static bool FullRangeIsExact => s_exact.Value;

    /// <summary>The weight scheme for models built to run here (<see cref="Int8Weights.Int8"/> only where it is exact).</summary>
    public static Int8Weights WeightScheme => FullRangeIsExact ? Int8Weights.Int8 : Int8Weights.Int7;

    /// <summary>
    /// <c>y = a · b</c> for a = 2 (quantized to 255, scale 2/255) and b = ±127 (scale 1), K = 64: exact is ±64·2·127;
    /// a 16-bit pair sum saturates at 32,767 instead of 64,770, giving about half. One row and eight, since ORT has
    /// separate matrix-vector kernels.
    /// </summary>
    internal static bool ProbeFullRangeIsExact()
    {
        const int k = 64, n = 16;
        var g = new OnnxGraph("int8_probe");
        g.AddInput("a", OnnxDataType.Float, "m", (long)k);
        var b = new byte[k * n];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)(sbyte)(i % 2 == 0 ? 127 : -127);
        g.AddInitializer("b", OnnxDataType.Int8, [k, n], b);
        g.AddInitializer("scale", Enumerable.Repeat(1f, n).ToArray(), n);
        g.AddInitializer("zero_point", OnnxDataType.Int8, [n], new byte[n]);
        g.AddNode("DynamicQuantizeMatMul", ["a", "b", "scale", "zero_point"], ["y"], "com.microsoft");
        g.AddOutput("y", OnnxDataType.Float, "m", (long)n);

        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(g), options);
        using var run = new RunOptions();
        foreach (int m in (int[])[1, 8])
        {
            var a = Enumerable.Repeat(2f, m * k).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(a, [m, k]);
            using var outputs = session.Run(run, ["a"], [input], ["y"]);
            var y = outputs[0].GetTensorDataAsSpan<float>();
            for (int i = 0; i < y.Length; i++)
            {
                float expected = (i % 2 == 0 ? 1 : -1) * 2f * 127 * k;
                if (Math.Abs(y[i] - expected) > 0.01f * Math.Abs(expected)) return false;
            }
        }
        return true;
    }
}
