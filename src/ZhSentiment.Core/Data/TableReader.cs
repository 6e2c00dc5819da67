using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ZhSentiment.Data;

/// <summary>
/// Streams the records of a CSV, TSV or JSON Lines source one at a time through bounded buffers, whatever its size.
/// The encoding is UTF-8 (with or without byte order mark) or GB18030, decided from the leading bytes; a line of a
/// UTF-8 source that is not valid UTF-8 is decoded as GB18030 (counted in <see cref="Gb18030Lines"/>). A record that
/// cannot be parsed comes back as a row with <see cref="TableRow.Error"/> and its line number, and reading goes on
/// with the next line. Not thread-safe; the rows it returns are immutable.
/// </summary>
public sealed class TableReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly LineSource _source;
    private readonly TableReadOptions _options;
    private readonly Encoding _gb18030 = SourceEncodings.Gb18030;
    private Queue<SourceLine> _replay = new();
    private readonly List<SourceLine> _recordLines = [];
    private readonly List<string> _fields = [];
    private readonly StringBuilder _field = new();
    private readonly List<(int Index, TableValue Value)> _jsonValues = [];
    private char[] _keyChars = new char[64];
    private bool _columnsPending;

    public TableReader(Stream stream, TableFormat format, TableReadOptions? options = null, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? new TableReadOptions();
        Format = format;
        _source = new LineSource(stream, _options.MaxLineBytes);
        Encoding = SourceEncodings.Detect(_source.Head, _source.HeadIsWhole);
        if (Encoding == SourceEncoding.Utf8Bom) _source.Skip(3);
        if (format != TableFormat.Jsonl) ReadHeader();
    }

    /// <summary>Opens a file, or standard input for "-". The format is <see cref="TableReadOptions.Format"/> or the file's extension.</summary>
    /// <exception cref="ArgumentException">The format is neither given nor told by the extension.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header cannot be read or the source is UTF-16.</exception>
    public static TableReader Open(string path, TableReadOptions? options = null)
    {
        var format = options?.Format ?? TableFormats.FromPath(path)
            ?? throw new ArgumentException($"cannot tell the format of '{path}' from its extension; name it (csv, tsv or jsonl)");
        var stream = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            return new TableReader(stream, format, options);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public TableFormat Format { get; }

    /// <summary>The encoding decided from the leading bytes.</summary>
    public SourceEncoding Encoding { get; }

    /// <summary>Lines of a UTF-8 source that were not valid UTF-8 and were decoded as GB18030.</summary>
    public long Gb18030Lines { get; private set; }

    /// <summary>
    /// The column names: the CSV/TSV header, or the JSON Lines keys in order of first appearance (growing as reading
    /// goes on; each row keeps the columns known when it was read).
    /// </summary>
    public TableColumns Columns { get; private set; } = TableColumns.Empty;

    /// <summary>Bytes of the source consumed so far (for progress).</summary>
    public long BytesRead => _source.Offset;

    /// <summary>The next record, or null at the end of the source.</summary>
    public TableRow? Read() => Format switch
    {
        TableFormat.Csv => ReadDelimited(csv: true),
        TableFormat.Tsv => ReadDelimited(csv: false),
        _ => ReadJson(),
    };

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    private void ReadHeader()
    {
        if (!_options.HasHeader)
        {
            _columnsPending = true;
            return;
        }
        if (!NextLine(out var line)) return;
        var error = line.TooLong ? TooLongMessage : line.Text.Length == 0 ? "the header line is blank" : ParseRecord(line, Format == TableFormat.Csv, out _);
        if (error is not null) throw new InvalidDataException($"line {line.Number}: {error}");
        Columns = new TableColumns(_fields);
    }

    private string TooLongMessage => $"line longer than {_options.MaxLineBytes} bytes";

    private TableRow? ReadDelimited(bool csv)
    {
        if (!NextLine(out var first)) return null;
        var last = first;
        string? error = first.TooLong ? TooLongMessage : first.Text.Length == 0 ? "blank line" : ParseRecord(first, csv, out last);
        if (error is not null) return ErrorRow(first.Number, error, last);
        if (_columnsPending)
        {
            Columns = new TableColumns(Enumerable.Range(1, _fields.Count).Select(i => $"column{i}"));
            _columnsPending = false;
        }
        if (_fields.Count != Columns.Count)
            return ErrorRow(first.Number, $"expected {Columns.Count} fields, found {_fields.Count}", last);
        return new TableRow(Columns, first.Number, [.. _fields], null, null, last.EndOffset, last.Terminated);
    }

    private TableRow ErrorRow(long line, string error, SourceLine last) =>
        new(Columns, line, [], null, error, last.EndOffset, last.Terminated);

    /// <summary>
    /// Splits one record that starts on <paramref name="first"/> into <see cref="_fields"/>; a CSV record may go on
    /// over further lines inside a quoted field. Returns the error or null, and the last line the record took.
    /// </summary>
    private string? ParseRecord(SourceLine first, bool csv, out SourceLine last)
    {
        _fields.Clear();
        _recordLines.Clear();
        last = first;
        if (!csv)
        {
            foreach (var range in first.Text.AsSpan().Split('\t')) _fields.Add(first.Text[range]);
            return null;
        }
        var line = first;
        long chars = 0;
        bool inQuotes = false;
        _field.Clear();
        while (true)
        {
            last = line;
            var error = ParseCsvLine(line.Text, ref inQuotes);
            if (error is not null || !inQuotes) return error;
            _recordLines.Add(line);
            chars += line.Text.Length;
            bool more = NextLine(out var next);
            if (!more || next.TooLong || chars > _options.MaxRecordChars)
            {
                // Read on from the line after the one the record started on: the quote was probably stray.
                var replay = new Queue<SourceLine>(_recordLines.Skip(1));
                if (more) replay.Enqueue(next);
                foreach (var pending in _replay) replay.Enqueue(pending);
                _replay = replay;
                _recordLines.Clear();
                last = first;
                return "unterminated quoted field";
            }
            line = next;
        }
    }

    /// <summary>Parses one physical line into <see cref="_fields"/>, continuing a quoted field when <paramref name="inQuotes"/>.</summary>
    private string? ParseCsvLine(string text, ref bool inQuotes)
    {
        int i = 0;
        while (true)
        {
            if (!inQuotes)
            {
                if (i < text.Length && text[i] == '"')
                {
                    inQuotes = true;
                    i++;
                }
                else
                {
                    int comma = text.IndexOf(',', i);
                    int end = comma < 0 ? text.Length : comma;
                    _fields.Add(text[i..end]);
                    if (comma < 0) return null;
                    i = comma + 1;
                    continue;
                }
            }
            int quote = text.IndexOf('"', i);
            if (quote < 0)
            {
                _field.Append(text, i, text.Length - i).Append('\n');
                return null;
            }
            _field.Append(text, i, quote - i);
            if (quote + 1 < text.Length && text[quote + 1] == '"')
            {
                _field.Append('"');
                i = quote + 2;
                continue;
            }
            inQuotes = false;
            _fields.Add(_field.ToString());
            _field.Clear();
            i = quote + 1;
            if (i == text.Length) return null;
            if (text[i] != ',') return $"unexpected character after a closing quote (column {i + 1})";
            i++;
        }
    }

    private bool NextLine(out SourceLine line)
    {
        if (_replay.TryDequeue(out line)) return true;
        if (!_source.Next(out var bytes)) return false;
        line = new SourceLine(_source.TooLong ? "" : Decode(bytes), _source.LineNumber, _source.Offset, _source.Terminated, _source.TooLong);
        return true;
    }

    private string Decode(ReadOnlySpan<byte> bytes)
    {
        if (Encoding == SourceEncoding.Gb18030) return _gb18030.GetString(bytes);
        if (Utf8.IsValid(bytes)) return System.Text.Encoding.UTF8.GetString(bytes);
        Gb18030Lines++;
        return _gb18030.GetString(bytes);
    }

    private TableRow? ReadJson()
    {
        if (!_source.Next(out var bytes)) return null;
        long line = _source.LineNumber;
        if (_source.TooLong) return JsonError(line, TooLongMessage);
        if (bytes.Trim(" \t"u8).IsEmpty) return JsonError(line, "blank line");
        if (Encoding == SourceEncoding.Gb18030 || !Utf8.IsValid(bytes))
        {
            if (Encoding != SourceEncoding.Gb18030) Gb18030Lines++;
            bytes = System.Text.Encoding.UTF8.GetBytes(_gb18030.GetString(bytes));
        }
        string? error;
        try
        {
            error = ParseJsonObject(bytes);
        }
        catch (JsonException e)
        {
            error = $"invalid JSON (byte {e.BytePositionInLine + 1})";
        }
        if (error is not null) return JsonError(line, error);
        var texts = new string?[Columns.Count];
        var kinds = new TableValueKind[Columns.Count];
        foreach (var (index, value) in _jsonValues)
        {
            texts[index] = value.Text;
            kinds[index] = value.Kind;
        }
        return new TableRow(Columns, line, texts, kinds, null, _source.Offset, _source.Terminated);
    }

    private TableRow JsonError(long line, string error) => new(Columns, line, [], null, error, _source.Offset, _source.Terminated);

    private string? ParseJsonObject(ReadOnlySpan<byte> bytes)
    {
        _jsonValues.Clear();
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "not a JSON object";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int column = ColumnOf(ref reader);
            reader.Read();
            TableValue value;
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    value = new(reader.GetString(), TableValueKind.String);
                    break;
                case JsonTokenType.Number:
                    value = new(System.Text.Encoding.UTF8.GetString(reader.ValueSpan), TableValueKind.Number);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    value = new(reader.TokenType == JsonTokenType.True ? "true" : "false", TableValueKind.Boolean);
                    break;
                case JsonTokenType.Null:
                    value = new(null, TableValueKind.Null);
                    break;
                default:
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    value = new(System.Text.Encoding.UTF8.GetString(bytes[start..(int)reader.BytesConsumed]), TableValueKind.Json);
                    break;
            }
            _jsonValues.Add((column, value));
        }
        reader.Read(); // throws when anything but whitespace follows the object
        return null;
    }

    /// <summary>The column of the property name under <paramref name="reader"/>, adding it when new.</summary>
    private int ColumnOf(ref Utf8JsonReader reader)
    {
        if (_keyChars.Length < reader.ValueSpan.Length) _keyChars = new char[reader.ValueSpan.Length];
        int length = reader.CopyString(_keyChars);
        var key = _keyChars.AsSpan(0, length);
        int column = Columns.IndexOf(key);
        if (column >= 0) return column;
        Columns = Columns.With(key.ToString());
        return Columns.Count - 1;
    }

    private readonly record struct SourceLine(string Text, long Number, long EndOffset, bool Terminated, bool TooLong);
}
