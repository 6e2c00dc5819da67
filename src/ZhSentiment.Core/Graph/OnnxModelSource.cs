namespace ZhSentiment.Graph;

/// <summary>
/// An ONNX model ready for a session: a file (external weights beside it) or, when it could not be saved, the
/// whole model in memory. <see cref="Name"/> identifies it in messages.
/// </summary>
public sealed record OnnxModelSource(string? Path, byte[]? Bytes, string Name);
