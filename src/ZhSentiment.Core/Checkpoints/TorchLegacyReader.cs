using System.Buffers.Binary;
using System.Numerics;

namespace ZhSentiment.Checkpoints;

/// <summary>
/// Reads the <c>torch.save</c> format of PyTorch before 1.6 (still written with
/// <c>_use_new_zipfile_serialization=False</c>): five pickles — magic number, protocol version 1001, sys_info,
/// the object with storage references as persistent ids, the list of storage keys — then, for each key in that
/// order, an int64 element count and the storage's raw bytes.
/// </summary>
internal static class TorchLegacyReader
{
    private static readonly BigInteger Magic = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);
    private const long ProtocolVersion = 1001;

    public static Dictionary<string, CheckpointTensor> Read(Stream file)
    {
        var rules = new TorchPickleRules(legacyFormat: true);
        object? Next() => new RestrictedUnpickler(file, file.Length - file.Position, file.Position, rules).Load();

        var magic = Next();
        if (magic is not BigInteger number || number != Magic)
            throw new InvalidDataException("starts with a pickle but not with torch.save's magic number");
        if (Next() is not long protocol || protocol != ProtocolVersion)
            throw new InvalidDataException("has an unsupported legacy torch.save protocol version");
        if (Next() is not PickleDict sysInfo) throw new InvalidDataException("has no sys_info record");
        if (sysInfo["little_endian"] is false)
            throw new InvalidDataException("stores its tensors big-endian; re-save it on a little-endian machine");
        var views = TorchStateDict.Find(Next());
        if (Next() is not List<object?> keys) throw new InvalidDataException("has no storage key list after the object");

        var needed = views.Select(v => v.Value.Storage).ToHashSet();
        var storages = new Dictionary<TorchStorage, byte[]>();
        Span<byte> countBytes = stackalloc byte[8];
        foreach (var key in keys)
        {
            if (key is not string name || !rules.Storages.TryGetValue(name, out var storage))
                throw new InvalidDataException($"lists storage {(key is string k ? $"'{k}'" : PickleDescription.Of(key))} that no tensor refers to");
            long at = file.Position;
            file.ReadExactly(countBytes);
            long count = BinaryPrimitives.ReadInt64LittleEndian(countBytes);
            if (count != storage.ElementCount)
                throw new InvalidDataException($"storage '{name}' at byte {at} holds {count} elements, not the {storage.ElementCount} declared");
            if (storage.ByteCount > file.Length - file.Position)
                throw new EndOfStreamException($"storage '{name}' at byte {at} is cut off");
            if (needed.Contains(storage) && !storages.ContainsKey(storage))
            {
                var bytes = new byte[storage.ByteCount];
                file.ReadExactly(bytes);
                storages[storage] = bytes;
            }
            else
            {
                file.Seek(storage.ByteCount, SeekOrigin.Current);
            }
        }
        return TorchStateDict.Materialize(views, storage =>
            storages.Remove(storage, out var bytes) ? bytes : throw new InvalidDataException($"lacks the bytes of storage '{storage.Key}'"));
    }
}
