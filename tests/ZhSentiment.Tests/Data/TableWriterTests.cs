using System.Text;
using ZhSentiment.Data;

namespace ZhSentiment.Tests.Data;

public class TableWriterTests
{
    private static readonly string[] Tricky = ["普通", "含,逗号", "含\"引号\"", "多\n行\r\n文本", "", " 空格 "];

    [Fact]
    public void Csv_starts_with_a_bom_quotes_what_needs_it_and_reads_back_unchanged()
    {
        var stream = new MemoryStream();
        using (var writer = new TableWriter(stream, TableFormat.Csv, ["id", "text"], leaveOpen: true))
        {
            for (int i = 0; i < Tricky.Length; i++)
            {
                writer.Write(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                writer.Write(Tricky[i]);
                writer.EndRow();
            }
        }
        var bytes = stream.ToArray();
        Assert.True(bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF, .. "id,text\r\n0,普通\r\n1,\"含,逗号\"\r\n"u8]));

        stream.Position = 0;
        using var reader = new TableReader(stream, TableFormat.Csv);
        var texts = new List<string?>();
        while (reader.Read() is { } row)
        {
            Assert.Null(row.Error);
            texts.Add(row["text"]);
        }
        // Embedded CRLF reads back as LF: the reader normalises line breaks inside quoted fields.
        Assert.Equal(Tricky.Select(t => t.Replace("\r\n", "\n", StringComparison.Ordinal)), texts);
    }

    [Fact]
    public void Jsonl_round_trips_value_kinds_and_leaves_missing_values_out()
    {
        var stream = new MemoryStream();
        using (var writer = new TableWriter(stream, TableFormat.Jsonl, ["text", "stars", "ok", "tags", "gone", "score"], leaveOpen: true))
        {
            writer.Write("好\"评\"\n");
            writer.Write(new TableValue("4.5", TableValueKind.Number));
            writer.Write(new TableValue("false", TableValueKind.Boolean));
            writer.Write(new TableValue("[1,2]", TableValueKind.Json));
            writer.Write(default(TableValue));
            writer.Write(TableValue.Number(0.25f));
            writer.EndRow();
        }
        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Equal("{\"text\":\"好\\\"评\\\"\\n\",\"stars\":4.5,\"ok\":false,\"tags\":[1,2],\"score\":0.25}\n", text);

        stream.Position = 0;
        using var reader = new TableReader(stream, TableFormat.Jsonl);
        var row = reader.Read()!;
        Assert.Equal("好\"评\"\n", row["text"]);
        Assert.Equal(new TableValue("[1,2]", TableValueKind.Json), row.GetValue(3));
    }

    [Fact]
    public void Tsv_writes_tabs_and_line_breaks_inside_values_as_spaces_and_counts_them()
    {
        var stream = new MemoryStream();
        using var writer = new TableWriter(stream, TableFormat.Tsv, ["a", "b"], leaveOpen: true);
        writer.Write("x\ty");
        writer.Write("第一\r\n第二");
        writer.EndRow();
        writer.Flush();

        Assert.Equal("a\tb\nx y\t第一 第二\n", Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal(2, writer.FlattenedValues);
    }
}
