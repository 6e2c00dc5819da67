using System.Runtime.InteropServices;

namespace ZhSentiment.Graph.Onnx;

/// <summary>
/// Builds an ONNX graph in memory: inputs, outputs, initializers (weights) and nodes. Weights are
/// referenced, not copied, until <see cref="OnnxModelWriter"/> writes the model.
/// </summary>
public sealed class OnnxGraph(string name)
{
    internal readonly record struct Initializer(string Name, OnnxDataType Type, long[] Dims, ReadOnlyMemory<byte> Data);

    internal readonly record struct ValueInfo(string Name, OnnxDataType Type, object[] Dims);

    internal readonly record struct Node(string OpType, string[] Inputs, string[] Outputs, string Domain, string Name, OnnxAttribute[] Attributes);

    private readonly HashSet<string> _names = [];

    public string Name { get; } = name;

    internal List<ValueInfo> Inputs { get; } = [];
    internal List<ValueInfo> Outputs { get; } = [];
    internal List<Initializer> Initializers { get; } = [];
    internal List<Node> Nodes { get; } = [];

    /// <summary>Declares a graph input. Each dimension is a <see cref="long"/> or a symbolic <see cref="string"/> name.</summary>
    public string AddInput(string name, OnnxDataType type, params object[] dims)
    {
        Inputs.Add(new ValueInfo(Claim(name), type, CheckDims(dims)));
        return name;
    }

    public string AddOutput(string name, OnnxDataType type, params object[] dims)
    {
        Outputs.Add(new ValueInfo(name, type, CheckDims(dims)));
        return name;
    }

    /// <summary>Adds a weight from raw little-endian bytes (referenced, not copied).</summary>
    public string AddInitializer(string name, OnnxDataType type, long[] dims, ReadOnlyMemory<byte> data)
    {
        long count = 1;
        foreach (var d in dims) count *= d;
        if (count * type.ByteSize() != data.Length)
            throw new ArgumentException($"Initializer '{name}': {data.Length} bytes do not hold a {type} tensor of shape [{string.Join(",", dims)}].");
        Initializers.Add(new Initializer(Claim(name), type, dims, data));
        return name;
    }

    public string AddInitializer(string name, float[] data, params long[] dims) =>
        AddInitializer(name, OnnxDataType.Float, dims, AsBytes(data));

    public string AddInitializer(string name, int[] data, params long[] dims) =>
        AddInitializer(name, OnnxDataType.Int32, dims, AsBytes(data));

    public string AddInitializer(string name, long[] data, params long[] dims) =>
        AddInitializer(name, OnnxDataType.Int64, dims, AsBytes(data));

    public string AddInitializer(string name, byte[] data, params long[] dims) =>
        AddInitializer(name, OnnxDataType.UInt8, dims, data);

    public string AddInitializer(string name, sbyte[] data, params long[] dims) =>
        AddInitializer(name, OnnxDataType.Int8, dims, AsBytes(data));

    /// <summary>Adds a node; returns its first output name. An empty input name marks an omitted optional input.</summary>
    public string AddNode(string opType, string[] inputs, string[] outputs, string domain = "", params OnnxAttribute[] attributes)
    {
        foreach (var o in outputs) Claim(o);
        Nodes.Add(new Node(opType, inputs, outputs, domain, $"{opType}_{Nodes.Count}", attributes));
        return outputs.Length > 0 ? outputs[0] : "";
    }

    private string Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"The graph already has a value named '{name}'.");
        return name;
    }

    private static object[] CheckDims(object[] dims)
    {
        foreach (var d in dims)
            if (d is not (long or int or string)) throw new ArgumentException($"A dimension must be a number or a symbolic name, not {d?.GetType().Name ?? "null"}.");
        return dims;
    }

    private static ReadOnlyMemory<byte> AsBytes<T>(T[] data) where T : struct =>
        new CastMemoryManager<T>(data).Memory;

    /// <summary>Views a typed array as bytes without copying (the platform is little-endian, as ONNX's raw_data is).</summary>
    private sealed class CastMemoryManager<T>(T[] array) : System.Buffers.MemoryManager<byte> where T : struct
    {
        public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(array.AsSpan());
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
