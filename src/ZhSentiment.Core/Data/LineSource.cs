namespace ZhSentiment.Data;

/// <summary>
/// Physical lines of a byte stream through one reusable buffer: each line's bytes (without its LF or CRLF), its
/// 1-based number and the byte offset just past it. Lines longer than the limit are skipped whole, so memory stays
/// bounded whatever the input.
/// </summary>
internal sealed class LineSource
{
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private bool _eof;

    public LineSource(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = Math.Max(maxLineBytes, 1024);
        while (!_eof && _end < SourceEncodings.SniffBytes) Fill();
    }

    /// <summary>The bytes read ahead before the first line, for encoding detection.</summary>
    public ReadOnlySpan<byte> Head => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Whether <see cref="Head"/> holds the whole stream.</summary>
    public bool HeadIsWhole => _eof;

    /// <summary>Number of the last line returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Byte offset in the stream just past the last line returned.</summary>
    public long Offset { get; private set; }

    /// <summary>Whether the last line returned ended with a newline.</summary>
    public bool Terminated { get; private set; }

    /// <summary>Whether the last line returned was longer than the limit (its bytes are then empty).</summary>
    public bool TooLong { get; private set; }

    public void Skip(int bytes)
    {
        _start += bytes;
        Offset += bytes;
    }

    /// <summary>The next line, or false at the end of the stream.</summary>
    public bool Next(out ReadOnlySpan<byte> line)
    {
        int scanned = 0;
        TooLong = false;
        while (true)
        {
            int scanFrom = _start + scanned;
            int newline = _buffer.AsSpan(scanFrom, _end - scanFrom).IndexOf((byte)'\n');
            if (newline >= 0) return Take(scanFrom + newline, terminated: true, out line);
            if (_eof)
            {
                if (_start == _end) { line = default; return false; }
                return Take(_end, terminated: false, out line);
            }
            if (_end - _start >= _maxLineBytes) return SkipLongLine(out line);
            scanned = _end - _start;
            Fill();
        }
    }

    private bool Take(int lineEnd, bool terminated, out ReadOnlySpan<byte> line)
    {
        int length = lineEnd - _start;
        if (length > 0 && _buffer[lineEnd - 1] == (byte)'\r') length--;
        line = _buffer.AsSpan(_start, length);
        int consumed = lineEnd - _start + (terminated ? 1 : 0);
        _start += consumed;
        Offset += consumed;
        LineNumber++;
        Terminated = terminated;
        return true;
    }

    private bool SkipLongLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0 || _eof)
            {
                Take(newline >= 0 ? _start + newline : _end, newline >= 0, out _);
                TooLong = true;
                line = default;
                return true;
            }
            Offset += _end - _start;
            _start = _end = 0;
            Fill();
        }
    }

    /// <summary>Reads more bytes after <see cref="_end"/>, first moving the unread part to the front or growing the buffer.</summary>
    private void Fill()
    {
        if (_start > 0 && _end == _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxLineBytes + 1));
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _eof = true;
        else _end += read;
    }
}
