using System.Text;
using ZhSentiment.Checkpoints;
using ZhSentiment.Tests.Checkpoints;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// A pickle may name no global but the tensor-rebuilding ones, whichever opcode imports it and however it would be
/// called: refused with a <see cref="ModelFormatException"/> before anything could run.
/// </summary>
public sealed class PickleGlobalsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-globals-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> Globals => new()
    {
        { "posix", "system" }, { "nt", "system" }, { "os", "popen" }, { "builtins", "eval" }, { "builtins", "exec" },
        { "__builtin__", "eval" }, { "builtins", "getattr" }, { "builtins", "__import__" }, { "subprocess", "check_output" },
        { "copyreg", "_reconstructor" }, { "copy_reg", "_reconstructor" }, { "numpy.core.multiarray", "_reconstruct" },
        { "torch", "load" }, { "torch._utils", "_rebuild_from_type_v2" }, { "torch.serialization", "_get_layout" },
        { "collections", "defaultdict" }, { "functools", "partial" }, { "pickle", "loads" }, { "runpy", "_run_code" },
        { "torch._utils", "_rebuild_tensor_v3" }, { "webbrowser", "open" }, { "shutil", "rmtree" },
    };

    [Theory]
    [MemberData(nameof(Globals))]
    public void Any_other_global_is_refused_by_name_with_every_import_opcode(string module, string name)
    {
        var byGlobal = new PickleBuilder().Global(module, name).Str("id").Op(0x85).Reduce().Stop();
        var byStackGlobal = new PickleBuilder(4).Str(module).Str(name).Op(0x93).Str("id").Op(0x85).Reduce().Stop();
        // INST and OBJ create and call in one step, with no REDUCE for a rule to see.
        var byInst = new PickleBuilder().Mark().Str("id").Op((byte)'i').Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n")).Stop();
        var byObj = new PickleBuilder().Mark().Global(module, name).Str("id").Op((byte)'o').Stop();
        var inDict = new PickleBuilder().EmptyDict().Mark().Str("w").Global(module, name).Str("id").Op(0x85).Reduce().SetItems().Stop();
        foreach (var (how, pickle) in new[] { ("GLOBAL", byGlobal), ("STACK_GLOBAL", byStackGlobal), ("INST", byInst), ("OBJ", byObj), ("a state dict value", inDict) })
        {
            string path = Path.Combine(_dir, $"{module}.{name}.{how}.bin");
            TorchZip.Write(path, pickle, ("data/0", new byte[4]));
            var e = Assert.Throws<ModelFormatException>(() => CheckpointReader.Read(path));
            Assert.True(e.Message.Contains($"imports {module}.{name}", StringComparison.Ordinal) || e.Message.Contains("opcode", StringComparison.Ordinal),
                $"{how}: {e.Message}");
        }
    }

    [Fact]
    public void The_extension_registry_cannot_stand_in_for_a_global()
    {
        // EXT1/EXT2/EXT4 name a global by a number in copyreg's registry.
        foreach (var ext in new byte[][] { [0x82, 1], [0x83, 1, 0], [0x84, 1, 0, 0, 0] })
        {
            string path = Path.Combine(_dir, $"ext{ext[0]:x}.bin");
            TorchZip.Write(path, new PickleBuilder().Op(ext).Str("id").Op(0x85).Reduce().Stop(), ("data/0", new byte[4]));
            Assert.Throws<ModelFormatException>(() => CheckpointReader.Read(path));
        }
    }
}
