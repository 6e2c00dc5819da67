using System.Diagnostics;
using ZhSentiment.Checkpoints;

namespace ZhSentiment.Tests.Checkpoints;

/// <summary>
/// What reading costs beyond the tensors themselves. Every allocation made while reading is temporary except the
/// tensors' arrays, so "allocated minus tensor bytes" bounds the extra memory a read needs at its peak.
/// </summary>
public sealed class CheckpointReadCostTests
{
    [Theory]
    [InlineData("hf-bin/pytorch_model.bin")]
    [InlineData("hf-legacy/pytorch_model.bin")]
    [InlineData("hf-safetensors-f32/model.safetensors")]
    public void Reading_allocates_the_tensors_and_a_small_fixed_overhead(string file)
    {
        string path = Path.Combine(TestPaths.Fixtures, "models", file);
        var (tensors, data, extra, _, _, _) = Measure(path);
        // Bookkeeping per tensor (pickle objects, zip entry streams); a second copy of the ~400 KB of weights would not fit.
        Assert.InRange(extra, 0, 64 * 1024 + tensors * 8 * 1024);
        TestContext.Current.TestOutputHelper?.WriteLine($"{file}: {data} tensor bytes, {extra} bytes beyond them");
    }

    /// <summary>
    /// Times a read of a full-size checkpoint. Opt-in: ZHSENTI_BENCH_CHECKPOINT_DIR names a folder made by
    /// <c>make_reference_models.py --base-model DIR --with-safetensors</c>; each weights file in it is read 3 times
    /// after a warm-up read (the file is then in the page cache: this measures parsing and copying, not the disk).
    /// </summary>
    [Fact]
    public void Full_size_checkpoints_read_fast_without_a_second_copy()
    {
        string? dir = Environment.GetEnvironmentVariable("ZHSENTI_BENCH_CHECKPOINT_DIR");
        if (string.IsNullOrEmpty(dir)) Assert.Skip("set ZHSENTI_BENCH_CHECKPOINT_DIR to a --base-model folder to measure");
        var files = new[] { "pytorch_model.bin", "model.safetensors" }.Select(f => Path.Combine(dir, f)).Where(File.Exists).ToList();
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            for (int run = 1; run <= 3; run++)
            {
                var m = Measure(path);
                Assert.InRange(m.Extra, 0, 64 * 1024 + m.Tensors * 8 * 1024);
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"{Path.GetFileName(path)} run {run}: {m.Tensors} tensors, {m.Data / 1e6:F1} MB in {m.Elapsed.TotalMilliseconds:F0} ms " +
                    $"({m.Data / 1e6 / m.Elapsed.TotalSeconds:F0} MB/s); allocated beyond the tensors {m.Extra / 1e6:F2} MB; " +
                    $"working set {m.WorkingSetBefore / 1e6:F0} -> {m.WorkingSetAfter / 1e6:F0} MB");
            }
        }
    }

    private sealed record Cost(int Tensors, long Data, long Extra, TimeSpan Elapsed, long WorkingSetBefore, long WorkingSetAfter);

    private static Cost Measure(string path)
    {
        CheckpointReader.Read(path); // JIT and page cache, so the measured read is the steady state
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long workingSet = Process.GetCurrentProcess().WorkingSet64;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var tensors = CheckpointReader.Read(path);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long data = tensors.Values.Select(t => t.Data).Distinct().Sum(d => (long)d.Length);
        return new Cost(tensors.Count, data, allocated - data, clock.Elapsed, workingSet, Process.GetCurrentProcess().WorkingSet64);
    }
}
