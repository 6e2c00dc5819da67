namespace ZhSentiment.Graph.Onnx;

/// <summary>Writes an <see cref="OnnxGraph"/> as an ONNX model file (protobuf <c>ModelProto</c>).</summary>
public static class OnnxModelWriter
{
    /// <summary>ONNX IR version 8 (ONNX 1.10+), which ONNX Runtime 1.31 reads.</summary>
    private const long IrVersion = 8;

    /// <summary>
    /// Writes <paramref name="graph"/> to <paramref name="path"/>. Initializers of at least
    /// <paramref name="externalDataThreshold"/> bytes go to <c>path + ".data"</c>, each at a page-aligned offset
    /// so that ONNX Runtime can map them into memory instead of copying them. Files are written to a temporary
    /// name and renamed, so a reader never sees a half-written model.
    /// </summary>
    public static void Save(OnnxGraph graph, string path, IReadOnlyDictionary<string, string>? metadata = null,
        long externalDataThreshold = long.MaxValue)
    {
        string dataPath = path + ".data";
        string dataFileName = Path.GetFileName(dataPath);
        var external = new List<(OnnxGraph.Initializer Init, long Offset)>();
        long offset = 0;
        foreach (var init in graph.Initializers)
        {
            if (init.Data.Length < externalDataThreshold) continue;
            external.Add((init, offset));
            offset = AlignUp(offset + init.Data.Length, 4096);
        }

        if (external.Count > 0)
        {
            string tmpData = dataPath + ".tmp";
            using (var data = new FileStream(tmpData, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                foreach (var (init, at) in external)
                {
                    data.Position = at;
                    data.Write(init.Data.Span);
                }
            }
            File.Move(tmpData, dataPath, overwrite: true);
        }
        else if (File.Exists(dataPath))
        {
            File.Delete(dataPath);
        }

        var offsets = external.ToDictionary(e => e.Init.Name, e => e.Offset);
        var model = BuildModel(graph, metadata, init =>
            offsets.TryGetValue(init.Name, out var at) ? (dataFileName, at) : null);
        string tmp = path + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            model.WriteTo(file);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The whole model, weights inline, as bytes (for small models and for sessions built from memory).</summary>
    public static byte[] ToBytes(OnnxGraph graph, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ms = new MemoryStream();
        BuildModel(graph, metadata, _ => null).WriteTo(ms);
        return ms.ToArray();
    }

    private static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    private static ProtoMessage BuildModel(OnnxGraph graph, IReadOnlyDictionary<string, string>? metadata,
        Func<OnnxGraph.Initializer, (string File, long Offset)?> externalLocation)
    {
        // ModelProto: ir_version=1, producer_name=2, producer_version=3, graph=7, opset_import=8, metadata_props=14
        var model = new ProtoMessage()
            .Int64(1, IrVersion)
            .String(2, "zhsenti")
            .String(3, typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(7, BuildGraph(graph, externalLocation))
            .Message(8, new ProtoMessage().String(1, "").Int64(2, 17))
            .Message(8, new ProtoMessage().String(1, "com.microsoft").Int64(2, 1));
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                model.Message(14, new ProtoMessage().String(1, key).String(2, value));
        return model;
    }

    private static ProtoMessage BuildGraph(OnnxGraph graph, Func<OnnxGraph.Initializer, (string File, long Offset)?> externalLocation)
    {
        // GraphProto: node=1, name=2, initializer=5, input=11, output=12
        var g = new ProtoMessage();
        foreach (var node in graph.Nodes) g.Message(1, BuildNode(node));
        g.String(2, graph.Name);
        foreach (var init in graph.Initializers) g.Message(5, BuildTensor(init, externalLocation(init)));
        foreach (var input in graph.Inputs) g.Message(11, BuildValueInfo(input));
        foreach (var output in graph.Outputs) g.Message(12, BuildValueInfo(output));
        return g;
    }

    private static ProtoMessage BuildNode(OnnxGraph.Node node)
    {
        // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5, domain=7
        var n = new ProtoMessage();
        foreach (var i in node.Inputs) n.String(1, i);
        foreach (var o in node.Outputs) n.String(2, o);
        n.String(3, node.Name).String(4, node.OpType);
        foreach (var a in node.Attributes) n.Message(5, a.ToProto());
        if (node.Domain.Length > 0) n.String(7, node.Domain);
        return n;
    }

    private static ProtoMessage BuildTensor(OnnxGraph.Initializer init, (string File, long Offset)? external)
    {
        // TensorProto: dims=1, data_type=2, name=8, raw_data=9, external_data=13, data_location=14
        var t = new ProtoMessage().PackedInt64(1, init.Dims).Int64(2, (long)init.Type).String(8, init.Name);
        if (external is { } location)
        {
            t.Message(13, new ProtoMessage().String(1, "location").String(2, location.File));
            t.Message(13, new ProtoMessage().String(1, "offset").String(2, location.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            t.Message(13, new ProtoMessage().String(1, "length").String(2, init.Data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            t.Int64(14, 1);
        }
        else
        {
            t.Bytes(9, init.Data);
        }
        return t;
    }

    private static ProtoMessage BuildValueInfo(OnnxGraph.ValueInfo info)
    {
        // ValueInfoProto: name=1, type=2; TypeProto.tensor_type=1; Tensor: elem_type=1, shape=2; Dimension: dim_value=1, dim_param=2
        var shape = new ProtoMessage();
        foreach (var d in info.Dims)
        {
            var dim = d is string symbol ? new ProtoMessage().String(2, symbol) : new ProtoMessage().Int64(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
            shape.Message(1, dim);
        }
        var tensorType = new ProtoMessage().Int64(1, (long)info.Type).Message(2, shape);
        return new ProtoMessage().String(1, info.Name).Message(2, new ProtoMessage().Message(1, tensorType));
    }
}
