using System.Runtime.InteropServices;

namespace ZhSentiment.Inference;

/// <summary>
/// Makes glibc return large freed blocks to the system at once: the regions ONNX Runtime's arena frees when it
/// shrinks, and the temporary buffers its kernels allocate outside the arena. glibc otherwise raises its mmap
/// threshold to the largest block freed (up to 32 MB) and keeps later such blocks in its heaps, which after a
/// batch of long texts held ~100 MB the process no longer used (tools/GraphBench/serve-memory.sh).
/// </summary>
internal static partial class GlibcMalloc
{
    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD in malloc.h

    /// <summary>Blocks of at least 1 MB are mapped and unmapped on their own; a fixed value also stops the raising.</summary>
    private const int MmapThreshold = 1 << 20;

    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>Once per process; false where the C library is not glibc.</summary>
    public static bool UnmapLargeBlocks() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return gnu_get_libc_version() != 0 && mallopt(MmapThresholdParameter, MmapThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libc")]
    private static partial nint gnu_get_libc_version();
}
