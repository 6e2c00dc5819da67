using System.Buffers;
using System.Runtime.CompilerServices;

namespace ZhSentiment.Text;

/// <summary>A growable buffer on <see cref="ArrayPool{T}"/>: scratch space for one call that allocates nothing once the pool is warm.</summary>
internal struct PooledBuffer<T> : IDisposable
{
    private T[] _array;
    private int _length;

    public PooledBuffer(int capacity) => _array = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 16));

    public readonly int Length => _length;

    public readonly Span<T> Span => _array.AsSpan(0, _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        if (_length == _array.Length) Grow(1);
        _array[_length++] = item;
    }

    public void AddRange(ReadOnlySpan<T> items)
    {
        if (_length + items.Length > _array.Length) Grow(items.Length);
        items.CopyTo(_array.AsSpan(_length));
        _length += items.Length;
    }

    public void Clear() => _length = 0;

    /// <summary>Drops everything after the first <paramref name="length"/> items.</summary>
    public void Truncate(int length) => _length = Math.Min(_length, length);

    private void Grow(int count)
    {
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(_array.Length * 2, _length + count));
        _array.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<T>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        if (_array is null) return;
        ArrayPool<T>.Shared.Return(_array);
        _array = null!;
        _length = 0;
    }
}
