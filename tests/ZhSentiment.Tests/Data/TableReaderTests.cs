using System.Text;
using ZhSentiment.Data;

namespace ZhSentiment.Tests.Data;

public class TableReaderTests
{
    private static TableReader Reader(string content, TableFormat format, TableReadOptions? options = null) =>
        Reader(Encoding.UTF8.GetBytes(content), format, options);

    private static TableReader Reader(byte[] content, TableFormat format, TableReadOptions? options = null) =>
        new(new MemoryStream(content), format, options);

    private static List<TableRow> ReadAll(TableReader reader)
    {
        var rows = new List<TableRow>();
        while (reader.Read() is { } row) rows.Add(row);
        return rows;
    }

    [Fact]
    public void Csv_quoted_fields_hold_commas_quotes_and_newlines_and_rows_keep_their_start_line()
    {
        using var reader = Reader("id,text\r\n1,\"好,评\"\r\n2,\"说\"\"不错\"\"\n第二行\n第三行\"\r\n3,plain \"quote\" inside\r\n", TableFormat.Csv);
        var rows = ReadAll(reader);

        Assert.Equal(["id", "text"], reader.Columns);
        Assert.Equal([2L, 3L, 6L], rows.Select(r => r.Line));
        Assert.All(rows, r => Assert.Null(r.Error));
        Assert.Equal("好,评", rows[0]["text"]);
        Assert.Equal("说\"不错\"\n第二行\n第三行", rows[1][1]);
        Assert.Equal("plain \"quote\" inside", rows[2]["text"]);
        Assert.Equal("3", rows[2][0]);
        Assert.Null(rows[2]["missing"]);
    }

    [Fact]
    public void Csv_rows_that_cannot_be_parsed_are_reported_with_their_line_and_reading_goes_on()
    {
        var csv = "a,b\n1,x\n2,x,extra\n\n3,\"bad\"tail\n4,\"never closed\n5,y\n6,z\n";
        using var reader = Reader(csv, TableFormat.Csv);
        var rows = ReadAll(reader);

        Assert.Equal([2L, 3L, 4L, 5L, 6L, 7L, 8L], rows.Select(r => r.Line));
        Assert.Null(rows[0].Error);
        Assert.Equal("expected 2 fields, found 3", rows[1].Error);
        Assert.Equal("blank line", rows[2].Error);
        Assert.StartsWith("unexpected character after a closing quote", rows[3].Error);
        Assert.Equal("unterminated quoted field", rows[4].Error);
        // The lines after the unterminated quote are read again as records of their own.
        Assert.Equal(("5", "y"), (rows[5][0], rows[5][1]));
        Assert.Equal(("6", "z"), (rows[6][0], rows[6][1]));
        Assert.Equal(0, rows[1].Count);
    }

    [Fact]
    public void A_quoted_field_longer_than_the_record_limit_counts_as_unterminated()
    {
        var csv = "a,b\n1,\"open\n" + string.Concat(Enumerable.Repeat("x\n", 50)) + "2,y\n";
        using var reader = Reader(csv, TableFormat.Csv, new TableReadOptions { MaxRecordChars = 20 });
        var rows = ReadAll(reader);

        Assert.Equal("unterminated quoted field", rows[0].Error);
        Assert.Equal(2, rows[0].Line);
        Assert.Equal(1 + 50, rows.Count(r => r.Error is not null));
        Assert.Equal(("2", "y", 53L), (rows[^1][0], rows[^1][1], rows[^1].Line));
    }

    [Fact]
    public void Tsv_fields_are_literal_and_counted()
    {
        using var reader = Reader("label\tsource\ttext\n1\tweb\t\"引号\"照搬\n0\tweb\n", TableFormat.Tsv);
        var rows = ReadAll(reader);

        Assert.Equal("\"引号\"照搬", rows[0]["text"]);
        Assert.Equal("1", rows[0]["label"]);
        Assert.Equal("expected 3 fields, found 2", rows[1].Error);
        Assert.Equal(3, rows[1].Line);
    }

    [Fact]
    public void Without_a_header_the_columns_are_numbered_and_the_first_line_is_a_row()
    {
        using var reader = Reader("1\t好\n0\t差\n", TableFormat.Tsv, new TableReadOptions { HasHeader = false });
        var rows = ReadAll(reader);

        Assert.Equal(["column1", "column2"], reader.Columns);
        Assert.Equal(["好", "差"], rows.Select(r => r["column2"]));
        Assert.Equal([1L, 2L], rows.Select(r => r.Line));
    }

    [Fact]
    public void Jsonl_keeps_value_kinds_grows_columns_and_reports_bad_lines()
    {
        var jsonl = "{\"text\":\"好\\n评\",\"stars\":4.5,\"ok\":true,\"n\":null,\"tags\":[1,{\"a\":2}]}\n"
            + "{\"text\":\"差\" \n"
            + "[1,2]\n"
            + "{\"extra\":\"x\",\"text\":\"一般\"}\r\n"
            + "{\"text\":\"a\"} {\"text\":\"b\"}\n";
        using var reader = Reader(jsonl, TableFormat.Jsonl);
        var rows = ReadAll(reader);

        Assert.Equal(["text", "stars", "ok", "n", "tags", "extra"], reader.Columns);
        Assert.Equal(new TableValue("好\n评", TableValueKind.String), rows[0].GetValue(0));
        Assert.Equal(new TableValue("4.5", TableValueKind.Number), rows[0].GetValue(1));
        Assert.Equal(new TableValue("true", TableValueKind.Boolean), rows[0].GetValue(2));
        Assert.Equal(TableValueKind.Null, rows[0].GetValue(3).Kind);
        Assert.Equal(new TableValue("[1,{\"a\":2}]", TableValueKind.Json), rows[0].GetValue(4));
        Assert.StartsWith("invalid JSON", rows[1].Error);
        Assert.Equal("not a JSON object", rows[2].Error);
        Assert.Equal(("一般", "x"), (rows[3]["text"], rows[3]["extra"]));
        Assert.Equal(TableValueKind.Missing, rows[3].GetValue(1).Kind);
        Assert.StartsWith("invalid JSON", rows[4].Error);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], rows.Select(r => r.Line));
    }

    [Fact]
    public void Gb18030_sources_are_detected_and_decoded()
    {
        var gb = CodePagesGb18030();
        using var reader = Reader(gb.GetBytes("id,text\n1,质量很好，物流也快\n2,𠀀罕见字\n"), TableFormat.Csv);
        var rows = ReadAll(reader);

        Assert.Equal(SourceEncoding.Gb18030, reader.Encoding);
        Assert.Equal(["质量很好，物流也快", "𠀀罕见字"], rows.Select(r => r["text"]));
    }

    [Fact]
    public void A_utf8_source_with_a_bom_and_a_gb18030_line_reads_both_and_counts_the_fallback()
    {
        var gb = CodePagesGb18030();
        byte[] content = [0xEF, 0xBB, 0xBF, .. "text\n很好\n"u8, .. gb.GetBytes("太差了\n"), .. "一般\n"u8];
        using var reader = Reader(content, TableFormat.Csv);
        var rows = ReadAll(reader);

        Assert.Equal(SourceEncoding.Utf8Bom, reader.Encoding);
        Assert.Equal(["text"], reader.Columns);
        Assert.Equal(["很好", "太差了", "一般"], rows.Select(r => r["text"]));
        Assert.Equal(1, reader.Gb18030Lines);
    }

    [Fact]
    public void Utf16_sources_are_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => Reader(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("text\n")).ToArray(), TableFormat.Csv));
        Assert.Contains("UTF-16", error.Message);
    }

    [Fact]
    public void End_offsets_point_past_each_record_and_a_last_line_without_newline_is_flagged()
    {
        byte[] content = [0xEF, 0xBB, 0xBF, .. "text\n好\r\n\"a\nb\"\nlast"u8];
        using var reader = Reader(content, TableFormat.Csv);
        var rows = ReadAll(reader);

        Assert.Equal([3 + 5 + 5, 3 + 5 + 5 + 6, content.Length], rows.Select(r => (int)r.EndOffset));
        Assert.Equal([true, true, false], rows.Select(r => r.Terminated));
        Assert.Equal(content.Length, reader.BytesRead);
    }

    [Fact]
    public void Lines_longer_than_the_limit_are_skipped_as_errors_without_buffering_them()
    {
        var content = "text\nshort\n" + new string('长', 200_000) + "\nafter\n";
        using var reader = Reader(content, TableFormat.Csv, new TableReadOptions { MaxLineBytes = 4096 });
        var rows = ReadAll(reader);

        Assert.Equal(["short", null, "after"], rows.Select(r => r["text"]));
        Assert.Equal("line longer than 4096 bytes", rows[1].Error);
        Assert.Equal(4, rows[2].Line);
    }

    [Fact]
    public void The_shared_training_tsv_reads_without_row_errors()
    {
        var path = TestPaths.RequireShared("data/sentiment/train.tsv");
        using var reader = TableReader.Open(path);
        long rows = 0;
        while (reader.Read() is { } row)
        {
            Assert.Null(row.Error);
            Assert.False(string.IsNullOrEmpty(row["text"]));
            rows++;
        }
        Assert.Equal(["label", "source", "text"], reader.Columns);
        Assert.Equal(File.ReadLines(path).Count() - 1, rows);
    }

    private static Encoding CodePagesGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(54936);
    }

    /// <summary>A forward-only stream of a CSV with a header and <c>rows</c> generated rows.</summary>
    internal sealed class GeneratedCsv(int rows) : Stream
    {
        private byte[] _pending = "id,text\n"u8.ToArray();
        private int _at, _row;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_at == _pending.Length)
            {
                if (_row == rows) return 0;
                _pending = Encoding.UTF8.GetBytes($"{_row},第{_row}条评论：这家店的东西还不错，下次再来\n");
                _at = 0;
                _row++;
            }
            int n = Math.Min(count, _pending.Length - _at);
            _pending.AsSpan(_at, n).CopyTo(buffer.AsSpan(offset));
            _at += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Measures the whole heap, so it runs while no other test allocates.</summary>
[Collection(nameof(Alone))]
public class TableReaderMemoryTests
{
    [Fact]
    public void Reading_a_large_stream_keeps_memory_flat()
    {
        // 300k rows (~20 MB) generated on the fly from a non-seekable stream.
        using var reader = new TableReader(new TableReaderTests.GeneratedCsv(300_000), TableFormat.Csv);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long rows = 0, peak = 0;
        while (reader.Read() is { } row)
        {
            Assert.Equal(rows + 2, row.Line);
            if (++rows % 50_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
        }
        Assert.Equal(300_000, rows);
        Assert.True(peak < 4 << 20, $"heap grew by {peak} bytes");
    }
}
