using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ZhSentiment.Graph.Onnx;

/// <summary>
/// A protobuf message under construction, kept as a list of byte segments so that large payloads
/// (weights) are referenced, never copied, until the message is written to a stream.
/// </summary>
internal sealed class ProtoMessage
{
    private const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;

    private readonly List<ReadOnlyMemory<byte>> _segments = [];
    private readonly List<(int Index, ProtoMessage Child)> _children = [];
    private readonly ArrayBufferWriter<byte> _scratch = new();

    /// <summary>Encoded length of the message in bytes.</summary>
    public long Length
    {
        get
        {
            Flush();
            long n = 0;
            foreach (var s in _segments) n += s.Length;
            foreach (var (_, child) in _children)
            {
                long childLength = child.Length;
                n += VarintSize((ulong)childLength) + childLength;
            }
            return n;
        }
    }

    public ProtoMessage Int64(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        Tag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_scratch.GetSpan(4), value);
        _scratch.Advance(4);
        return this;
    }

    public ProtoMessage String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A length-delimited field. The bytes are referenced, not copied.</summary>
    public ProtoMessage Bytes(int field, ReadOnlyMemory<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        if (value.Length <= 64)
        {
            _scratch.Write(value.Span);
        }
        else
        {
            Flush();
            _segments.Add(value);
        }
        return this;
    }

    public ProtoMessage PackedInt64(int field, ReadOnlySpan<long> values)
    {
        var body = new ArrayBufferWriter<byte>();
        foreach (var v in values) WriteVarint(body, (ulong)v);
        return Bytes(field, body.WrittenMemory);
    }

    public ProtoMessage PackedFloat(int field, ReadOnlySpan<float> values)
    {
        var body = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(body.AsSpan(i * 4), values[i]);
        return Bytes(field, body);
    }

    /// <summary>An embedded message. Its length is taken when the parent is written, so it may still grow.</summary>
    public ProtoMessage Message(int field, ProtoMessage child)
    {
        Tag(field, LengthDelimited);
        Flush();
        _children.Add((_segments.Count, child));
        return this;
    }

    public void WriteTo(Stream stream)
    {
        Flush();
        int childIndex = 0;
        for (int i = 0; i <= _segments.Count; i++)
        {
            while (childIndex < _children.Count && _children[childIndex].Index == i)
            {
                var child = _children[childIndex++].Child;
                WriteVarint(stream, (ulong)child.Length);
                child.WriteTo(stream);
            }
            if (i < _segments.Count) stream.Write(_segments[i].Span);
        }
    }

    private static int VarintSize(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value) => WriteVarint(_scratch, value);

    private static void WriteVarint(IBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        writer.Advance(n);
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        var buffer = new ArrayBufferWriter<byte>(10);
        WriteVarint(buffer, value);
        stream.Write(buffer.WrittenSpan);
    }

    private void Flush()
    {
        if (_scratch.WrittenCount == 0) return;
        _segments.Add(_scratch.WrittenSpan.ToArray());
        _scratch.ResetWrittenCount();
    }
}
