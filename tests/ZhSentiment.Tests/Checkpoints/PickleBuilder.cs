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

    /// <summary>
    /// A storage reference as the zip format writes it, ('storage', torch.&lt;type&gt;, key, 'cpu', numel), or with
    /// the legacy format's sixth item (None).
    /// </summary>
    public PickleBuilder Storage(string type, string key, long count, bool legacy = false)
    {
        Mark().Str("storage").Global("torch", type).Str(key).Str("cpu").Int(count);
        if (legacy) Op((byte)'N');
        return Tuple().Op((byte)'Q');
    }

    /// <summary><c>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())</c>.</summary>
    public PickleBuilder Tensor(string type, string key, long count, long offset, long[] shape, long[] stride, bool legacy = false) =>
        Global("torch._utils", "_rebuild_tensor_v2").Mark().Storage(type, key, count, legacy).Int(offset).Ints(shape).Ints(stride)
            .Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();

    /// <summary>A state dict of one float32 tensor.</summary>
    public static byte[] OneTensor(string name, long count, long offset, long[] shape, long[] stride, bool legacy = false) =>
        new PickleBuilder().EmptyDict().Mark().Str(name).Tensor("FloatStorage", "0", count, offset, shape, stride, legacy).SetItems().Stop();

    public byte[] Stop() => Op((byte)'.').WithoutStop();

    public byte[] WithoutStop() => _out.ToArray();
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

/// <summary>Writes legacy (pre-1.6) torch.save files: the five pickles, then size-prefixed storages.</summary>
internal static class TorchLegacy
{
    public static byte[] Build(byte[] objectPkl, string[] keys, params (long Count, byte[] Data)[] storages)
    {
        var file = new MemoryStream();
        // LONG1 magic number 0x1950a86a20f9469cfc6c, protocol 1001, sys_info.
        file.Write(new PickleBuilder().Op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).Stop());
        file.Write(new PickleBuilder().Int(1001).Stop());
        file.Write(new PickleBuilder().EmptyDict().Mark().Str("protocol_version").Int(1001).Str("little_endian").Op(0x88).SetItems().Stop());
        file.Write(objectPkl);
        var list = new PickleBuilder().Op((byte)']').Mark();
        foreach (var key in keys) list.Str(key);
        file.Write(list.Op((byte)'e').Stop());
        var count = new byte[8];
        foreach (var (n, data) in storages)
        {
            BinaryPrimitives.WriteInt64LittleEndian(count, n);
            file.Write(count);
            file.Write(data);
        }
        return file.ToArray();
    }
}
