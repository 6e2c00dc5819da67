using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ZhSentiment.Data;

/// <summary>
/// Writes a table as UTF-8 CSV (RFC 4180 quoting, CRLF rows), TSV or JSON Lines, one field at a time. CSV files get a
/// byte order mark so that Excel reads Chinese correctly. TSV has no quoting: a tab or line break inside a value is
/// written as a space (counted in <see cref="FlattenedValues"/>). JSON Lines writes each row as an object keyed by
/// the columns, skipping <see cref="TableValueKind.Missing"/> values.
/// </summary>
public sealed class TableWriter : IDisposable
{
    private static readonly SearchValues<char> CsvSpecial = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> TsvSpecial = SearchValues.Create("\t\r\n");
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JsonTextEncoder.Instance, SkipValidation = true };

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly StreamWriter? _text;
    private readonly ArrayBufferWriter<byte>? _jsonBuffer;
    private readonly Utf8JsonWriter? _json;
    private int _field;

    /// <param name="byteOrderMark">Start with the UTF-8 byte order mark (only ever for CSV, and then by default).</param>
    /// <param name="append">Continue a table written before: no byte order mark, no header.</param>
    public TableWriter(Stream stream, TableFormat format, IReadOnlyList<string> columns, bool? byteOrderMark = null, bool leaveOpen = false, bool append = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Format = format;
        Columns = columns;
        if (format == TableFormat.Jsonl)
        {
            _jsonBuffer = new ArrayBufferWriter<byte>(4096);
            _json = new Utf8JsonWriter(_jsonBuffer, JsonOptions);
            return;
        }
        _text = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = format == TableFormat.Csv ? "\r\n" : "\n" };
        if (append) return;
        if (format == TableFormat.Csv && (byteOrderMark ?? true)) _stream.Write([0xEF, 0xBB, 0xBF]);
        foreach (var column in columns) Write(column);
        EndRow();
    }

    /// <summary>Creates (or replaces) a file, or writes standard output for "-" (without a byte order mark).</summary>
    public static TableWriter Create(string path, TableFormat format, IReadOnlyList<string> columns)
    {
        if (path == "-") return new TableWriter(Console.OpenStandardOutput(), format, columns, byteOrderMark: false);
        return new TableWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1), format, columns);
    }

    public TableFormat Format { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>TSV values whose tabs or line breaks were written as spaces.</summary>
    public long FlattenedValues { get; private set; }

    /// <summary>Writes the next field of the current row as a string.</summary>
    public void Write(string? text) => Write(TableValue.String(text));

    /// <summary>Writes the next field of the current row as a number, without allocating; <paramref name="name"/> as in <see cref="Write(TableValue, string?)"/>.</summary>
    public void Write(float value, string? name = null)
    {
        if (_json is not null)
        {
            WriteJsonName(name);
            _json.WriteNumberValue(value);
            return;
        }
        Span<char> text = stackalloc char[32];
        value.TryFormat(text, out int length, default, CultureInfo.InvariantCulture);
        WriteSeparator();
        _text!.Write(text[..length]);
    }

    /// <summary>
    /// Writes the next field of the current row. In JSON Lines its key is <paramref name="name"/>, by default the
    /// column at its position; CSV and TSV ignore the name.
    /// </summary>
    public void Write(TableValue value, string? name = null)
    {
        if (_json is not null)
        {
            WriteJson(value, name);
            return;
        }
        WriteSeparator();
        var text = value.Text.AsSpan();
        if (Format == TableFormat.Csv)
        {
            if (text.ContainsAny(CsvSpecial))
            {
                _text!.Write('"');
                _text.Write(value.Text!.Replace("\"", "\"\"", StringComparison.Ordinal));
                _text.Write('"');
            }
            else _text!.Write(text);
        }
        else if (text.ContainsAny(TsvSpecial))
        {
            FlattenedValues++;
            _text!.Write(value.Text!.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' '));
        }
        else _text!.Write(text);
    }

    /// <summary>Ends the current row.</summary>
    public void EndRow()
    {
        if (_json is null)
        {
            _text!.WriteLine();
            _field = 0;
            return;
        }
        if (_field == 0) _json.WriteStartObject();
        _json.WriteEndObject();
        _json.Flush();
        _stream.Write(_jsonBuffer!.WrittenSpan);
        _stream.WriteByte((byte)'\n');
        _jsonBuffer.ResetWrittenCount();
        _json.Reset();
        _field = 0;
    }

    public void Flush()
    {
        _text?.Flush();
        _stream.Flush();
    }

    public void Dispose()
    {
        _text?.Dispose();
        _json?.Dispose();
        if (_leaveOpen) _stream.Flush();
        else _stream.Dispose();
    }

    private void WriteSeparator()
    {
        if (_field++ > 0) _text!.Write(Format == TableFormat.Csv ? ',' : '\t');
    }

    /// <summary>Starts the row's object if needed and writes the field's key; false for a missing value (nothing to write).</summary>
    private bool WriteJsonName(string? name, bool missing = false)
    {
        var json = _json!;
        if (_field == 0) json.WriteStartObject();
        int field = _field++;
        if (missing) return false;
        json.WritePropertyName(name ?? (field < Columns.Count ? Columns[field] : $"column{field + 1}"));
        return true;
    }

    private void WriteJson(TableValue value, string? name)
    {
        var json = _json!;
        if (!WriteJsonName(name, value.Kind == TableValueKind.Missing)) return;
        switch (value.Kind)
        {
            case TableValueKind.String:
                json.WriteStringValue(value.Text);
                break;
            case TableValueKind.Number or TableValueKind.Json:
                json.WriteRawValue(value.Text!, skipInputValidation: true);
                break;
            case TableValueKind.Boolean:
                json.WriteBooleanValue(value.Text == "true");
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }
}
