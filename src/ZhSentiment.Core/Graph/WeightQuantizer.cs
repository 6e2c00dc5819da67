namespace ZhSentiment.Graph;

/// <summary>How int8 weights are stored for ONNX Runtime's integer matrix kernels (activations are always uint8).</summary>
internal enum Int8Weights
{
    /// <summary>
    /// Signed, symmetric, 7 bits (−63…63), for x86 CPUs without VNNI: ORT's u8·s8 kernels there add pairs of
    /// u8×s8 products in 16 bits with saturation: 2·255·63 fits, 2·255·127 (full-range s8) does not. u8·s8 is also
    /// the fast kernel family, with and without VNNI.
    /// </summary>
    Int7,

    /// <summary>
    /// Signed, symmetric, full range (−127…127): twice the resolution of <see cref="Int7"/>, exact only where ORT's
    /// u8·s8 kernels accumulate in 32 bits (VNNI's vpdpbusd), so chosen only on such CPUs (<see cref="CpuInt8"/>).
    /// </summary>
    Int8,

    /// <summary>
    /// Unsigned, asymmetric per column (scale and zero point): one bit more precise, but ORT's u8·u8 kernels
    /// are 2.5× slower here (tools/GraphBench compares the two).
    /// </summary>
    UInt8,
}

/// <summary>A <c>[K, N]</c> weight matrix quantized per column: <c>w ≈ (q − zeroPoint[n]) · scale[n]</c>.</summary>
internal sealed record QuantizedMatrix(byte[] Data, bool Signed, float[] Scales, byte[] ZeroPoints);

internal static class WeightQuantizer
{
    /// <summary>Quantizes <paramref name="w"/> (<c>[k, n]</c>, row-major) column by column.</summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> w, int k, int n, Int8Weights scheme)
    {
        if (w.Length != k * n) throw new ArgumentException($"{w.Length} values are not a [{k},{n}] matrix.", nameof(w));
        var min = new float[n];
        var max = new float[n];
        for (int r = 0; r < k; r++)
        {
            var row = w.Slice(r * n, n);
            for (int c = 0; c < n; c++)
            {
                min[c] = Math.Min(min[c], row[c]);
                max[c] = Math.Max(max[c], row[c]);
            }
        }

        var scales = new float[n];
        var zeroPoints = new byte[n];
        var q = new byte[k * n];
        int limit = scheme == Int8Weights.Int8 ? 127 : 63;
        for (int c = 0; c < n; c++)
        {
            if (scheme == Int8Weights.UInt8)
            {
                // The range includes 0 (min ≤ 0 ≤ max), so the zero point is representable.
                float scale = (max[c] - min[c]) / 255f;
                scales[c] = scale > 0 ? scale : 1f;
                zeroPoints[c] = (byte)Math.Clamp(MathF.Round(-min[c] / scales[c]), 0, 255);
            }
            else
            {
                float scale = Math.Max(max[c], -min[c]) / limit;
                scales[c] = scale > 0 ? scale : 1f;
            }
        }

        for (int r = 0; r < k; r++)
        {
            var row = w.Slice(r * n, n);
            var dst = q.AsSpan(r * n, n);
            if (scheme == Int8Weights.UInt8)
            {
                for (int c = 0; c < n; c++)
                    dst[c] = (byte)Math.Clamp(MathF.Round(row[c] / scales[c]) + zeroPoints[c], 0, 255);
            }
            else
            {
                for (int c = 0; c < n; c++)
                    dst[c] = (byte)(sbyte)Math.Clamp(MathF.Round(row[c] / scales[c]), -limit, limit);
            }
        }
        return new QuantizedMatrix(q, scheme != Int8Weights.UInt8, scales, zeroPoints);
    }

    /// <summary>
    /// Quantizes a lookup table (<c>[rows, n]</c>, row-major) row by row, symmetric over the full signed range:
    /// <c>w ≈ q · scale[row]</c>. Only Gather reads the result, never the integer matrix kernels, so the 7-bit limit
    /// of <see cref="Int8Weights.Int7"/> does not apply.
    /// </summary>
    public static (sbyte[] Data, float[] Scales) QuantizeRows(ReadOnlySpan<float> w, int rows, int n)
    {
        if (w.Length != rows * n) throw new ArgumentException($"{w.Length} values are not a [{rows},{n}] table.", nameof(w));
        const int limit = 127;
        var q = new sbyte[rows * n];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = w.Slice(r * n, n);
            float max = 0;
            foreach (var v in row) max = Math.Max(max, Math.Abs(v));
            float scale = max > 0 ? max / limit : 1f;
            scales[r] = scale;
            var dst = q.AsSpan(r * n, n);
            for (int c = 0; c < n; c++) dst[c] = (sbyte)Math.Clamp(MathF.Round(row[c] / scale), -limit, limit);
        }
        return (q, scales);
    }
}
