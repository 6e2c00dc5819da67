using System.IO.Compression;
using System.Text;

namespace ZhSentiment.Checkpoints;

/// <summary>
/// Reads what <c>torch.save</c> writes since PyTorch 1.6: a zip holding <c>&lt;archive&gt;/data.pkl</c> (the object
/// pickle), <c>&lt;archive&gt;/data/&lt;key&gt;</c> (one raw little-endian storage per key), <c>version</c> and, since
/// 2.1, <c>byteorder</c>. Entries are streamed straight into each storage's array, whatever their compression.
/// </summary>
internal static class TorchZipReader
{
    private const long MaxPickleBytes = 64L << 20;

    // Deflate cannot expand data more than about 1032 times; a larger declared size is a lie.
    private const long MaxDeflateRatio = 1032;

    public static Dictionary<string, CheckpointTensor> Read(Stream file)
    {
        using var zip = Open(file);
        var pickles = zip.Entries.Where(e => IsArchiveFile(e.FullName, "data.pkl")).ToList();
        if (pickles.Count != 1)
            throw new InvalidDataException(pickles.Count == 0
                ? "is a zip file without the data.pkl of a torch.save checkpoint"
                : "is a zip file with more than one data.pkl");
        string archive = pickles[0].FullName[..^"data.pkl".Length];
        if (zip.GetEntry(archive + "constants.pkl") is not null || zip.Entries.Any(e => e.FullName.StartsWith(archive + "code/", StringComparison.Ordinal)))
            throw new InvalidDataException("is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the model's state_dict() instead");
        if (zip.GetEntry(archive + "byteorder") is { } byteOrder && Encoding.ASCII.GetString(ReadEntry(byteOrder, 16)).Trim() != "little")
            throw new InvalidDataException("stores its tensors big-endian; re-save it on a little-endian machine");

        var rules = new TorchPickleRules(legacyFormat: false);
        object? root;
        using (var pickle = new MemoryStream(ReadEntry(pickles[0], MaxPickleBytes)))
        {
            try
            {
                root = new RestrictedUnpickler(pickle, pickle.Length, 0, rules).Load();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{pickles[0].FullName}: {e.Message}", e);
            }
        }
        var views = TorchStateDict.Find(root);
        return TorchStateDict.Materialize(views, storage =>
        {
            string name = archive + "data/" + storage.Key;
            var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"lacks the storage entry {name}");
            if (entry.Length != storage.ByteCount)
                throw new InvalidDataException($"storage entry {name} holds {entry.Length} bytes, not the {storage.ByteCount} its tensors declare");
            return ReadEntry(entry, storage.ByteCount);
        });
    }

    private static ZipArchive Open(Stream file)
    {
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"is a damaged zip file: {e.Message}", e);
        }
    }

    private static bool IsArchiveFile(string entryName, string file)
    {
        int slash = entryName.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && entryName.Length == slash + 1 + file.Length && entryName.EndsWith("/" + file, StringComparison.Ordinal);
    }

    /// <summary>The entry's bytes, its declared size checked against <paramref name="max"/> and the compressed size first.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, long max)
    {
        long length = entry.Length;
        if (length > max) throw new InvalidDataException($"entry {entry.FullName} declares {length} bytes, more than expected ({max})");
        if (length > Math.Max(entry.CompressedLength, 1) * MaxDeflateRatio)
            throw new InvalidDataException($"entry {entry.FullName} declares {length} bytes from {entry.CompressedLength} compressed");
        var bytes = new byte[length];
        using var stream = entry.Open();
        stream.ReadExactly(bytes);
        return bytes;
    }
}
