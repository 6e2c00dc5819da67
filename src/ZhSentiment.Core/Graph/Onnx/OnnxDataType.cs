namespace ZhSentiment.Graph.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values used by the project.</summary>
public enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
}

internal static class OnnxDataTypeExtensions
{
    public static int ByteSize(this OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 => 4,
        OnnxDataType.Int64 => 8,
        OnnxDataType.Float16 => 2,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
