using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace ZhSentiment.Checkpoints;

/// <summary>
/// Reads safetensors: a little-endian u64 header length, a JSON header mapping each name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to the end of the header), then the
/// data. As the format requires, the tensors must tile the data exactly: no gaps, no overlaps, nothing past the
/// end. All of it is checked before any tensor is allocated; each tensor is then read straight into its array.
/// </summary>
internal static class SafetensorsReader
{
    private const long MaxHeaderBytes = 100L << 20;

    private static readonly Dictionary<string, TensorDType> DTypes = new(StringComparer.Ordinal)
    {
        ["F32"] = TensorDType.Float32,
        ["F16"] = TensorDType.Float16,
        ["BF16"] = TensorDType.BFloat16,
        ["F64"] = TensorDType.Float64,
        ["I64"] = TensorDType.Int64,
        ["I32"] = TensorDType.Int32,
        ["I16"] = TensorDType.Int16,
        ["I8"] = TensorDType.Int8,
        ["U8"] = TensorDType.UInt8,
        ["BOOL"] = TensorDType.Bool,
    };

    private sealed record Entry(string Name, TensorDType DType, long[] Shape, long Begin, long End);

    /// <summary>Whether <paramref name="start"/> (the file's first bytes) looks like a safetensors header.</summary>
    public static bool Sniff(ReadOnlySpan<byte> start) =>
        start.Length >= 9 && BinaryPrimitives.ReadUInt64LittleEndian(start) >= 2 && start[8] == (byte)'{';

    public static Dictionary<string, CheckpointTensor> Read(SafeFileHandle file)
    {
        long fileLength = RandomAccess.GetLength(file);
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadAt(file, lengthBytes, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, fileLength - 8))
            throw new InvalidDataException($"declares a {headerLength}-byte header in a {fileLength}-byte file");
        var header = new byte[headerLength];
        ReadAt(file, header, 8);
        long dataStart = 8 + (long)headerLength;
        var entries = ParseHeader(header, fileLength - dataStart);

        var tensors = new Dictionary<string, CheckpointTensor>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var data = new byte[e.End - e.Begin];
            ReadAt(file, data, dataStart + e.Begin);
            tensors[e.Name] = new CheckpointTensor(e.Name, e.DType, e.Shape, data);
        }
        return tensors;
    }

    private static List<Entry> ParseHeader(byte[] header, long dataLength)
    {
        // JsonDocument validates structure but only complains about bad UTF-8 when a string is read.
        if (!System.Text.Unicode.Utf8.IsValid(header)) throw new InvalidDataException("header is not valid UTF-8");
        var entries = new List<Entry>();
        try
        {
            using var json = JsonDocument.Parse(header);
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException("header is not a JSON object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw new InvalidDataException($"header lists '{property.Name}' twice");
                if (property.Name == "__metadata__") continue;
                entries.Add(ParseEntry(property.Name, property.Value));
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // A name escaped as a lone surrogate ("\ud800") passes the UTF-8 check and throws when read.
            throw new InvalidDataException($"header holds a name that is not valid Unicode: {e.Message}", e);
        }

        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long expected = 0;
        foreach (var e in entries)
        {
            if (e.Begin != expected)
                throw new InvalidDataException($"tensor '{e.Name}' starts at {e.Begin}, not at {expected} where the previous one ends (overlap or gap)");
            expected = e.End;
        }
        if (expected != dataLength)
            throw new InvalidDataException($"tensors cover {expected} bytes but the file holds {dataLength} after the header");
        return entries;
    }

    private static Entry ParseEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array
            || offsetsJson.GetArrayLength() != 2)
            throw new InvalidDataException($"tensor '{name}' lacks dtype, shape or data_offsets");
        string dtypeName = dtypeJson.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
            throw new InvalidDataException($"tensor '{name}' has unsupported dtype {dtypeName}");
        var shape = shapeJson.EnumerateArray().Select(d => NonNegative(d, name)).ToArray();
        long begin = NonNegative(offsetsJson[0], name), end = NonNegative(offsetsJson[1], name);
        long bytes = CheckpointTensor.ElementSize(dtype);
        try
        {
            foreach (var d in shape) bytes = checked(bytes * d);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"tensor '{name}' has an impossible shape [{string.Join(", ", shape)}]");
        }
        if (end < begin || end - begin != bytes)
            throw new InvalidDataException($"tensor '{name}' of {dtypeName} [{string.Join(", ", shape)}] needs {bytes} bytes but its offsets span {end - begin}");
        if (bytes > Array.MaxLength) throw new InvalidDataException($"tensor '{name}' is larger than one array can hold");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long NonNegative(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) && n >= 0
            ? n
            : throw new InvalidDataException($"tensor '{name}' has a shape or offset that is not a non-negative integer");

    private static void ReadAt(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(file, buffer, offset);
            if (read == 0) throw new EndOfStreamException($"the file ends at byte {offset}");
            buffer = buffer[read..];
            offset += read;
        }
    }
}
