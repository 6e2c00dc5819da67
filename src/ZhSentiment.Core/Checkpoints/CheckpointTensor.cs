using System.Runtime.InteropServices;

namespace ZhSentiment.Checkpoints;

/// <summary>One named tensor read from a checkpoint: shape, element type and contiguous little-endian bytes.</summary>
public sealed class CheckpointTensor
{
    public CheckpointTensor(string name, TensorDType dtype, long[] shape, byte[] data)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}' has a negative dimension.");
            count = checked(count * d);
        }
        if (checked(count * ElementSize(dtype)) != data.LongLength)
            throw new ArgumentException($"Tensor '{name}': {data.LongLength} bytes do not hold {count} {dtype} elements.");
        Name = name;
        DType = dtype;
        Shape = shape;
        ElementCount = count;
        Data = data;
    }

    /// <summary>A float32 tensor (used by tests and by code that builds weights itself).</summary>
    public CheckpointTensor(string name, float[] values, params long[] shape)
        : this(name, TensorDType.Float32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray())
    {
    }

    public string Name { get; }
    public TensorDType DType { get; }
    public IReadOnlyList<long> Shape { get; }
    public long ElementCount { get; }

    /// <summary>
    /// Contiguous row-major element bytes, little-endian. Tensors that a checkpoint ties to one storage (the same
    /// tensor saved under two names) share this array: treat it as read-only.
    /// </summary>
    public byte[] Data { get; }

    public static int ElementSize(TensorDType dtype) => dtype switch
    {
        TensorDType.Float64 or TensorDType.Int64 => 8,
        TensorDType.Float32 or TensorDType.Int32 => 4,
        TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Int16 => 2,
        _ => 1,
    };

    /// <summary>The values as float32, converting from half, bfloat16 or double where needed.</summary>
    public float[] ToFloat32()
    {
        var result = new float[ElementCount];
        switch (DType)
        {
            case TensorDType.Float32:
                MemoryMarshal.Cast<byte, float>(Data).CopyTo(result);
                break;
            case TensorDType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(Data);
                for (int i = 0; i < result.Length; i++) result[i] = (float)halves[i];
                break;
            case TensorDType.BFloat16:
                var raw = MemoryMarshal.Cast<byte, ushort>(Data);
                for (int i = 0; i < result.Length; i++) result[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                break;
            case TensorDType.Float64:
                var doubles = MemoryMarshal.Cast<byte, double>(Data);
                for (int i = 0; i < result.Length; i++) result[i] = (float)doubles[i];
                break;
            default:
                throw new InvalidOperationException($"Tensor '{Name}' holds {DType}, not floating-point values.");
        }
        return result;
    }

    public override string ToString() => $"{Name} {DType}[{string.Join(",", Shape)}]";
}
