using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ZhSentiment.Tests.Checkpoints;

/// <summary>Writes pickles opcode by opcode, for checkpoints no honest torch.save would produce.</summary>
internal sealed class PickleBuilder
{
    private readonly MemoryStream _out = new();

    public PickleBuilder(byte protocol = 2) => Op(0x80).Op(protocol);

    public PickleBuilder Op(params byte[] bytes)
    {
        _out.Write(bytes);
        return this;
    }

    public PickleBuilder Global(string module, string name) => Op((byte)'c').Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder Str(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        return Op((byte)'X').Op(length).Op(bytes);
    }

    public PickleBuilder Int(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Op(0x8a, 8).Op(bytes); // LONG1 with 8 bytes
    }

    public PickleBuilder Mark() => Op((byte)'(');
    public PickleBuilder Tuple() => Op((byte)'t');
    public PickleBuilder EmptyTuple() => Op((byte)')');
    public PickleBuilder Reduce() => Op((byte)'R');
    public PickleBuilder EmptyDict() => Op((byte)'}');
    public PickleBuilder SetItems() => Op((byte)'u');

    public PickleBuilder Ints(IEnumerable<long> values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary>A storage reference as the zip format writes it: ('storage', torch.&lt;type&gt;, key, 'cpu', numel).</summary>
    public PickleBuilder Storage(string type, string key, long count) =>
        Mark().Str("storage").Global("torch", type).Str(key).Str("cpu").Int(count).Tuple().Op((byte)'Q');

    /// <summary><c>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())</c>.</summary>
    public PickleBuilder Tensor(string type, string key, long count, long offset, long[] shape, long[] stride) =>
        Global("torch._utils", "_rebuild_tensor_v2").Mark().Storage(type, key, count).Int(offset).Ints(shape).Ints(stride)
            .Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();

    /// <summary>A state dict of one float32 tensor.</summary>
    public static byte[] OneTensor(string name, long count, long offset, long[] shape, long[] stride) =>
        new PickleBuilder().EmptyDict().Mark().Str(name).Tensor("FloatStorage", "0", count, offset, shape, stride).SetItems().Stop();

    public byte[] Stop() => Op((byte)'.')._out.ToArray();
}

/// <summary>Writes zip checkpoints laid out like torch.save's.</summary>
internal static class TorchZip
{
    public static void Write(string path, byte[] dataPkl, params (string Name, byte[] Data)[] entries)
    {
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        Add(zip, "archive/data.pkl", dataPkl);
        foreach (var (name, data) in entries) Add(zip, "archive/" + name, data);
        Add(zip, "archive/version", "3\n"u8.ToArray());
    }

    private static void Add(ZipArchive zip, string name, byte[] data)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(data);
    }
}
