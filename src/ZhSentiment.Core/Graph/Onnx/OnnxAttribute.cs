namespace ZhSentiment.Graph.Onnx;

/// <summary>A node attribute (the subset of <c>AttributeProto</c> the project's graphs use).</summary>
public sealed class OnnxAttribute
{
    private enum Kind { Float = 1, Int = 2, String = 3, Floats = 6, Ints = 7 }

    private readonly Kind _kind;
    private readonly float _f;
    private readonly long _i;
    private readonly string? _s;
    private readonly float[]? _floats;
    private readonly long[]? _ints;

    private OnnxAttribute(string name, Kind kind, float f = 0, long i = 0, string? s = null, float[]? floats = null, long[]? ints = null)
    {
        Name = name;
        _kind = kind;
        _f = f;
        _i = i;
        _s = s;
        _floats = floats;
        _ints = ints;
    }

    public string Name { get; }

    public static OnnxAttribute Float(string name, float value) => new(name, Kind.Float, f: value);
    public static OnnxAttribute Int(string name, long value) => new(name, Kind.Int, i: value);
    public static OnnxAttribute String(string name, string value) => new(name, Kind.String, s: value);
    public static OnnxAttribute Floats(string name, params float[] values) => new(name, Kind.Floats, floats: values);
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, Kind.Ints, ints: values);

    internal ProtoMessage ToProto()
    {
        // AttributeProto: name=1, f=2, i=3, s=4, floats=7, ints=8, type=20
        var m = new ProtoMessage().String(1, Name);
        switch (_kind)
        {
            case Kind.Float: m.Float(2, _f); break;
            case Kind.Int: m.Int64(3, _i); break;
            case Kind.String: m.String(4, _s!); break;
            case Kind.Floats: m.PackedFloat(7, _floats!); break;
            case Kind.Ints: m.PackedInt64(8, _ints!); break;
        }
        return m.Int64(20, (long)_kind);
    }
}
