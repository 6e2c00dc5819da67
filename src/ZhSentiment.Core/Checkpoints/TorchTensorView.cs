namespace ZhSentiment.Checkpoints;

/// <summary>A storage a <c>torch.save</c> pickle refers to by key; the container holds its bytes.</summary>
internal sealed class TorchStorage(string key, TensorDType dtype, long elementCount)
{
    public string Key { get; } = key;
    public TensorDType DType { get; } = dtype;
    public long ElementCount { get; } = elementCount;
    public long ByteCount => ElementCount * CheckpointTensor.ElementSize(DType);
}

/// <summary>
/// A tensor as <c>torch.save</c> describes it: a strided view (offset, shape, strides in elements) into a
/// storage that other tensors may share. The constructor checks the view against the storage's declared size,
/// so nothing is allocated for a view that reaches outside it.
/// </summary>
internal sealed class TorchTensorView
{
    private const int MaxRank = 64;

    public TorchTensorView(TorchStorage storage, long offset, long[] shape, long[] stride)
    {
        if (shape.Length != stride.Length) throw new InvalidDataException($"tensor has {shape.Length} dimensions but {stride.Length} strides");
        if (shape.Length > MaxRank) throw new InvalidDataException($"tensor has {shape.Length} dimensions");
        if (offset < 0 || shape.Any(d => d < 0) || stride.Any(s => s < 0))
            throw new InvalidDataException("tensor has a negative size, stride or offset");
        try
        {
            long count = 1, last = offset;
            for (int d = 0; d < shape.Length; d++)
            {
                count = checked(count * shape[d]);
                if (shape[d] > 0) last = checked(last + (shape[d] - 1) * stride[d]);
            }
            if (checked(count * CheckpointTensor.ElementSize(storage.DType)) > Array.MaxLength)
                throw new InvalidDataException($"tensor of shape [{string.Join(", ", shape)}] is larger than one array can hold");
            if (count > 0 ? last >= storage.ElementCount : offset > storage.ElementCount)
                throw new InvalidDataException(
                    $"tensor of shape [{string.Join(", ", shape)}] at offset {offset} reaches past its storage '{storage.Key}' of {storage.ElementCount} elements");
            ElementCount = count;
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"tensor of shape [{string.Join(", ", shape)}] is larger than one array can hold");
        }
        Storage = storage;
        Offset = offset;
        Shape = shape;
        Stride = stride;
    }

    public TorchStorage Storage { get; }
    public long Offset { get; }
    public long[] Shape { get; }
    public long[] Stride { get; }
    public long ElementCount { get; }

    private bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] == 0) return true;
                if (Shape[d] != 1 && Stride[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    /// <summary>
    /// The view's elements as contiguous row-major bytes. A view covering its whole storage in order returns the
    /// storage array itself, so an ordinary state dict is read without a second copy.
    /// </summary>
    public byte[] Materialize(byte[] storage)
    {
        int size = CheckpointTensor.ElementSize(Storage.DType);
        int bytes = (int)(ElementCount * size);
        if (IsContiguous)
        {
            if (Offset == 0 && bytes == storage.Length) return storage;
            return bytes == 0 ? [] : storage.AsSpan((int)(Offset * size), bytes).ToArray();
        }

        var result = new byte[bytes];
        int rank = Shape.Length;
        long inner = Shape[rank - 1], innerStride = Stride[rank - 1];
        var index = new long[rank - 1];
        for (int written = 0; written < bytes;)
        {
            long start = Offset;
            for (int d = 0; d < rank - 1; d++) start += index[d] * Stride[d];
            if (innerStride == 1)
            {
                storage.AsSpan((int)(start * size), (int)(inner * size)).CopyTo(result.AsSpan(written));
                written += (int)(inner * size);
            }
            else
            {
                for (long j = 0; j < inner; j++, written += size)
                    storage.AsSpan((int)((start + j * innerStride) * size), size).CopyTo(result.AsSpan(written));
            }
            for (int d = rank - 2; d >= 0 && ++index[d] == Shape[d]; d--) index[d] = 0;
        }
        return result;
    }
}
