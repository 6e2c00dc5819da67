using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ZhSentiment.Checkpoints;

namespace ZhSentiment.Tests.Checkpoints;

/// <summary>Malicious, broken and lying files: each is refused with a <see cref="ModelFormatException"/> naming it.</summary>
public sealed class HostileCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Case(string file) => Path.Combine(TestPaths.Fixtures, "models", "checkpoints", file);

    private static ModelFormatException Refused(string path)
    {
        var e = Assert.Throws<ModelFormatException>(() => CheckpointReader.Read(path));
        Assert.Equal(path, e.File);
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        TestContext.Current.TestOutputHelper?.WriteLine(e.Message);
        return e;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Zip(string name, byte[] dataPkl, params (string, byte[])[] entries)
    {
        string path = Path.Combine(_dir, name);
        TorchZip.Write(path, dataPkl, entries);
        return path;
    }

    [Theory]
    [InlineData("malicious-os-system.bin", "os.system")]
    [InlineData("malicious-eval-legacy.bin", "builtins.eval")]
    [InlineData("pickled-by-value.bin", "torch.storage._load_from_bytes")]
    public void Code_hidden_in_a_pickle_is_refused_by_name(string file, string global)
    {
        var e = Refused(Case(file));
        Assert.Contains($"imports {global}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torchscript_archive_is_told_apart() =>
        Assert.Contains("TorchScript", Refused(Case("torchscript.pt")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_global_imported_with_protocol_4_is_refused_by_name()
    {
        var pkl = new PickleBuilder(4).Str("subprocess").Str("Popen").Op(0x93).Str("id").Op(0x85).Reduce().Stop();
        Assert.Contains("imports subprocess.Popen", Refused(Zip("popen.bin", pkl)).Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string> RefusedPickles => new()
    {
        { "storage class called", new PickleBuilder().Global("torch", "FloatStorage").EmptyTuple().Reduce().Stop(), "calls torch storage class" },
        { "OrderedDict with arguments", new PickleBuilder().Global("collections", "OrderedDict").Mark().Str("x").Tuple().Reduce().Stop(), "called with 1 arguments" },
        { "state set on a list", new PickleBuilder().Op((byte)']').EmptyDict().Op((byte)'b').Stop(), "sets the state of a list" },
        { "NEWOBJ", new PickleBuilder().Global("collections", "OrderedDict").EmptyTuple().Op(0x81).Stop(), "opcode 0x81" },
        { "text persistent id", new PickleBuilder().Op((byte)'P').Op("0\n"u8.ToArray()).Stop(), "opcode 0x50" },
        { "complex storage", new PickleBuilder().Global("torch", "ComplexFloatStorage").Stop(), "unsupported element type" },
        { "foreign persistent id", new PickleBuilder().Str("module").Op((byte)'Q').Stop(), "not a storage reference" },
        { "root is a list", new PickleBuilder().Op((byte)']').Stop(), "holds a list, not a state dict" },
        { "no tensors", new PickleBuilder().EmptyDict().Mark().Str("epoch").Int(3).SetItems().Stop(), "holds no tensors (top-level keys: epoch)" },
        { "missing memo", new PickleBuilder().Op((byte)'h', 7).Stop(), "memo has no entry 7" },
        { "empty stack", new PickleBuilder().Op((byte)'0').Stop(), "empty stack" },
        { "no STOP", new PickleBuilder().EmptyDict().Op((byte)'}').WithoutStop(), "cut off" },
        { "protocol 1", new PickleBuilder(1).EmptyDict().Stop(), "protocol 1" },
        { "string past the end", new PickleBuilder().Op((byte)'X', 0xff, 0xff, 0xff, 0x7f).Stop(), "declares 2147483647 bytes" },
        { "invalid UTF-8", new PickleBuilder().Op(0x8c, 2, 0xc3, 0x28).Stop(), "not valid UTF-8" },
        { "deep nesting", new PickleBuilder().Op(Enumerable.Repeat((byte)'(', (1 << 20) + 1).ToArray()).Stop(), "nests deeper" },
        { "tensor larger than memory", PickleBuilder.OneTensor("w", 6, 0, [1L << 40, 1L << 40], [1L << 40, 1]), "larger than one array" },
        { "tensor past its storage", PickleBuilder.OneTensor("w", 6, 0, [3, 3], [3, 1]), "reaches past its storage '0' of 6 elements" },
        { "offset past its storage", PickleBuilder.OneTensor("w", 6, 100, [2], [1]), "at offset 100 reaches past" },
        { "negative stride", PickleBuilder.OneTensor("w", 6, 0, [2], [-1]), "negative size, stride or offset" },
        { "storage of 2^60 elements", PickleBuilder.OneTensor("w", 1L << 60, 0, [2], [1]), "declares 1152921504606846976 elements" },
    };

    [Theory]
    [MemberData(nameof(RefusedPickles))]
    public void Pickles_outside_a_state_dict_are_refused(string what, byte[] pkl, string problem)
    {
        var e = Refused(Zip(what.Replace(' ', '-') + ".bin", pkl, ("data/0", new byte[24])));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Older_and_newer_parameter_rebuilders_are_read()
    {
        var pkl = new PickleBuilder().EmptyDict().Mark()
            .Str("old").Global("torch._utils", "_rebuild_tensor").Mark().Storage("FloatStorage", "0", 6).Int(2).Ints([2]).Ints([1]).Tuple().Reduce()
            .Str("stateful").Global("torch._utils", "_rebuild_parameter_with_state").Mark()
            .Tensor("FloatStorage", "0", 6, 0, [3], [2]).Op(0x88).Global("collections", "OrderedDict").EmptyTuple().Reduce().EmptyDict().Tuple().Reduce()
            .SetItems().Stop();
        var values = new float[] { 0, 1, 2, 3, 4, 5 };
        var tensors = CheckpointReader.Read(Zip("rebuilders.bin", pkl, ("data/0", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray())));
        Assert.Equal([2f, 3f], tensors["old"].ToFloat32());
        Assert.Equal([0f, 2f, 4f], tensors["stateful"].ToFloat32());
    }

    [Fact]
    public void A_missing_storage_entry_is_named()
    {
        var e = Refused(Zip("missing.bin", PickleBuilder.OneTensor("w", 6, 0, [6], [1])));
        Assert.Contains("lacks the storage entry archive/data/0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_storage_entry_of_the_wrong_size_is_refused()
    {
        var e = Refused(Zip("short.bin", PickleBuilder.OneTensor("w", 6, 0, [6], [1]), ("data/0", new byte[20])));
        Assert.Contains("holds 20 bytes, not the 24", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Big_endian_zip_checkpoints_are_refused()
    {
        string path = Path.Combine(_dir, "big.bin");
        File.Copy(Case("views.bin"), path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            using var stream = zip.CreateEntry("views/byteorder").Open();
            stream.Write("big"u8);
        }
        Assert.Contains("big-endian", Refused(path).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Big_endian_legacy_checkpoints_are_refused()
    {
        var bytes = File.ReadAllBytes(Case("views-legacy.bin"));
        int at = bytes.AsSpan().IndexOf("little_endian"u8) + "little_endian".Length + 2; // after BINPUT n
        Assert.Equal(0x88, bytes[at]); // NEWTRUE
        bytes[at] = 0x89;
        Assert.Contains("big-endian", Refused(Write("big-legacy.bin", bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_legacy_file_with_the_wrong_magic_number_is_refused()
    {
        var bytes = File.ReadAllBytes(Case("views-legacy.bin"));
        bytes[5] ^= 0x01;
        Assert.Contains("magic number", Refused(Write("magic.bin", bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crafted_legacy_file_reads_like_torch_save()
    {
        var data = System.Runtime.InteropServices.MemoryMarshal.AsBytes(new float[] { 1, 2, 3 }.AsSpan()).ToArray();
        var bytes = TorchLegacy.Build(PickleBuilder.OneTensor("w", 3, 0, [3], [1], legacy: true), ["0"], (3, data));
        Assert.Equal([1f, 2f, 3f], CheckpointReader.Read(Write("legacy.bin", bytes))["w"].ToFloat32());
    }

    public static TheoryData<string, byte[], string> LyingLegacyFiles => new()
    {
        { "size prefix", TorchLegacy.Build(PickleBuilder.OneTensor("w", 3, 0, [3], [1], legacy: true), ["0"], (1L << 40, new byte[12])), "holds 1099511627776 elements, not the 3 declared" },
        { "cut storage", TorchLegacy.Build(PickleBuilder.OneTensor("w", 3, 0, [3], [1], legacy: true), ["0"], (3, new byte[8])), "is cut off" },
        { "unknown key", TorchLegacy.Build(PickleBuilder.OneTensor("w", 3, 0, [3], [1], legacy: true), ["9"], (3, new byte[12])), "lists storage '9' that no tensor refers to" },
        { "missing storage", TorchLegacy.Build(PickleBuilder.OneTensor("w", 3, 0, [3], [1], legacy: true), []), "lacks the bytes of storage '0'" },
        { "zip-style reference", TorchLegacy.Build(PickleBuilder.OneTensor("w", 3, 0, [3], [1]), ["0"], (3, new byte[12])), "malformed storage reference" },
    };

    [Theory]
    [MemberData(nameof(LyingLegacyFiles))]
    public void Legacy_files_that_lie_are_refused(string what, byte[] bytes, string problem)
    {
        var e = Refused(Write(what.Replace(' ', '-') + ".bin", bytes));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("views.bin")]
    [InlineData("views-legacy.bin")]
    [InlineData("views-protocol4.bin")]
    [InlineData("views.safetensors")]
    [InlineData("nested-state-dict.bin")]
    public void A_file_cut_anywhere_is_refused(string file)
    {
        var bytes = File.ReadAllBytes(Case(file));
        string path = Path.Combine(_dir, "cut-" + file);
        for (int length = 0; length < bytes.Length; length += 1 + length / 64)
        {
            File.WriteAllBytes(path, bytes[..length]);
            Refused(path);
        }
    }

    [Fact]
    public void A_full_size_checkpoint_cut_anywhere_is_refused()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, "models", "hf-bin", "pytorch_model.bin"));
        string path = Path.Combine(_dir, "cut.bin");
        var random = new Random(7);
        for (int i = 0; i < 40; i++)
        {
            File.WriteAllBytes(path, bytes[..random.Next(bytes.Length)]);
            Refused(path);
        }
    }

    [Fact]
    public void A_damaged_zip_directory_is_refused()
    {
        var bytes = File.ReadAllBytes(Case("views.bin"));
        bytes.AsSpan(bytes.Length - 22, 4).Fill(0xEE); // end-of-central-directory signature
        Assert.Contains("damaged zip", Refused(Write("eocd.bin", bytes)).Message, StringComparison.Ordinal);
    }

    private string Safetensors(string name, string header, int dataBytes, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return Write(name, bytes);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "cover 8 bytes but the file holds 4")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap or gap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}""", 16, "overlap or gap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12 bytes but its offsets span 8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "needs 8 bytes but its offsets span -8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[100000000000,100000000000],"data_offsets":[0,8]}}""", 8, "impossible shape")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "not a non-negative integer")]
    [InlineData("""{"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}""", 8, "unsupported dtype F8_E4M3")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2]}}""", 8, "lacks dtype, shape or data_offsets")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "lists 'a' twice")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]""", 8, "not valid JSON")]
    [InlineData("""{"__metadata__":{"format":"pt"}}""", 0, "holds no tensors")]
    public void Safetensors_headers_that_lie_are_refused(string header, int dataBytes, string problem)
    {
        var e = Refused(Safetensors("lie.safetensors", header, dataBytes));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_safetensors_header_longer_than_the_file_is_refused()
    {
        var e = Refused(Safetensors("long.safetensors", """{"a":{}}""", 0, declaredLength: 1UL << 40));
        Assert.Contains("-byte header in a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_files_folders_and_missing_files_are_named()
    {
        Assert.Contains("is empty", Refused(Write("empty.bin", [])).Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", Refused(_dir).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Refused(Path.Combine(_dir, "absent.bin")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_files_are_not_mistaken_for_checkpoints()
    {
        Assert.Contains("not a PyTorch", Refused(Path.Combine(TestPaths.Fixtures, "models", "onnx-export", "model.onnx")).Message, StringComparison.Ordinal);
        Assert.Contains("not a PyTorch", Refused(Path.Combine(TestPaths.Fixtures, "models", "hf-bin", "vocab.txt")).Message, StringComparison.Ordinal);
    }
}
