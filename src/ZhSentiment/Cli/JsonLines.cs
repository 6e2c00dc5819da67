using System.Text.Json;
using ZhSentiment.Data;

namespace ZhSentiment.Cli;

/// <summary>Writes one JSON object per line to stdout, Chinese and emoji left as UTF-8 (the output is data, not HTML).</summary>
internal sealed class JsonLines : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JsonTextEncoder.Instance };
    private readonly Stream _out = Console.OpenStandardOutput();
    private readonly Utf8JsonWriter _writer;

    public JsonLines() => _writer = new Utf8JsonWriter(_out, Options);

    /// <summary>Writes one object through <paramref name="write"/>, then a newline.</summary>
    public void Write(Action<Utf8JsonWriter> write)
    {
        _writer.WriteStartObject();
        write(_writer);
        _writer.WriteEndObject();
        _writer.Flush();
        _writer.Reset();
        _out.WriteByte((byte)'\n');
    }

    public void Dispose()
    {
        _writer.Dispose();
        _out.Flush();
        _out.Dispose();
    }
}
