using System.Diagnostics;
using System.IO.Compression;
using ZhSentiment.Checkpoints;

namespace ZhSentiment.Tests.Checkpoints;

/// <summary>
/// Random byte flips, overwrites and truncations of real checkpoints, for a bounded time: the readers may
/// succeed or throw <see cref="ModelFormatException"/>, nothing else (no IndexOutOfRange, OutOfMemory or hang).
/// The sequence of mutations is fixed by the seed; the time bound only decides how far along it a run gets.
/// ZHSENTI_FUZZ_SECONDS and ZHSENTI_FUZZ_SEED run it longer or elsewhere along the sequence.
/// </summary>
public sealed class CheckpointFuzzTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(EnvNumber("ZHSENTI_FUZZ_SECONDS", 2));
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Files =
    [
        "checkpoints/views.bin", "checkpoints/views-legacy.bin", "checkpoints/views-protocol4.bin",
        "checkpoints/views.safetensors", "checkpoints/nested-state-dict.bin", "hf-safetensors-bf16/model.safetensors",
    ];

    [Fact]
    public void Mutated_checkpoints_only_ever_fail_with_ModelFormatException()
    {
        var originals = Files.Select(f => File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, "models", f))).ToArray();
        var pickles = Files.Select(f => f.EndsWith(".bin", StringComparison.Ordinal) && !f.Contains("legacy", StringComparison.Ordinal)
            ? ZipParts(Path.Combine(TestPaths.Fixtures, "models", f)) : null).ToArray();
        var random = new Random(EnvNumber("ZHSENTI_FUZZ_SEED", 20240601));
        string path = Path.Combine(_dir, "mutant");
        var clock = Stopwatch.StartNew();
        int runs = 0, refused = 0;
        while (clock.Elapsed < Budget)
        {
            int which = random.Next(Files.Length);
            int kind = random.Next(4);
            // Kind 3 rebuilds a valid zip around a mutated data.pkl, so the unpickler itself is exercised.
            var bytes = kind == 3 && pickles[which] is { } parts
                ? RebuildZip(parts, Mutate(parts[0].Data, random, random.Next(3)))
                : Mutate(originals[which], random, kind);
            File.WriteAllBytes(path, bytes);
            try
            {
                CheckpointReader.Read(path);
            }
            catch (ModelFormatException e)
            {
                Assert.Equal(path, e.File);
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"run {runs} ({Files[which]}, mutation {kind}) threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            runs++;
        }
        Assert.True(runs > 100, $"only {runs} runs in {Budget}");
        Assert.InRange(refused, 1, runs - 1); // both outcomes occur: the mutations reach past the headers
        TestContext.Current.TestOutputHelper?.WriteLine($"{runs} mutants, {refused} refused");
    }

    private static int EnvNumber(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

    private static byte[] Mutate(byte[] original, Random random, int kind)
    {
        var bytes = (byte[])original.Clone();
        switch (kind)
        {
            case 0: // flip a few bits
                for (int i = random.Next(1, 5); i > 0; i--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1: // overwrite a short run with random bytes, or with values that make lengths huge
                int at = random.Next(bytes.Length), run = Math.Min(random.Next(1, 9), bytes.Length - at);
                if (random.Next(2) == 0) random.NextBytes(bytes.AsSpan(at, run));
                else bytes.AsSpan(at, run).Fill(random.Next(2) == 0 ? (byte)0xFF : (byte)0x7F);
                return bytes;
            default: // truncate, possibly after a flip
                if (random.Next(2) == 0) bytes[random.Next(bytes.Length)] ^= 0x40;
                return bytes[..random.Next(bytes.Length)];
        }
    }

    private static List<(string Name, byte[] Data)> ZipParts(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var parts = zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            var data = new byte[e.Length];
            stream.ReadExactly(data);
            return (e.FullName, data);
        }).ToList();
        // data.pkl first, so parts[0] is the pickle.
        return [.. parts.OrderBy(p => p.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) ? 0 : 1)];
    }

    private static byte[] RebuildZip(List<(string Name, byte[] Data)> parts, byte[] pickle)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in parts)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                stream.Write(name.EndsWith("/data.pkl", StringComparison.Ordinal) ? pickle : data);
            }
        }
        return output.ToArray();
    }
}
