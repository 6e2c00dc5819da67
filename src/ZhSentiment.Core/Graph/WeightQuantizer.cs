namespace ZhSentiment.Graph;

/// <summary>How int8 weights are stored for ONNX Runtime's integer matrix kernels.</summary>
internal enum Int8Weights
{
    /// <summary>Unsigned, asymmetric per column (scale and zero point). ORT's u8·u8 kernels cannot saturate.</summary>
    UInt8,

    /// <summary>
    /// Signed, symmetric, 7 bits (−63…63). Keeps ORT's u8·s8 kernels exact on CPUs without VNNI, where they add
    /// pairs of u8×s8 products in 16 bits: 2·255·63 fits, 2·255·127 does not.
    /// </summary>
    Int7,

    /// <summary>Signed, symmetric, full range (−127…127): only correct on CPUs whose u8·s8 kernels do not saturate.</summary>
    Int8,
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
        int limit = scheme == Int8Weights.Int7 ? 63 : 127;
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
}
