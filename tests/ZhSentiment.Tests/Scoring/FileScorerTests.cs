using System.Text;
using ZhSentiment.Data;
using ZhSentiment.Scoring;

namespace ZhSentiment.Tests.Scoring;

public class FileScorerTests(FixtureBertModel model) : IClassFixture<FixtureBertModel>
{
    internal static readonly string[] Texts = ["好", "差", "很好", "太差", "一般", "不错", "失望", "满意"];
    private static readonly string[] ScoreColumns = ["label", "score", "prob_负面", "prob_正面", "error"];

    private Task<ScoreSummary> Score(string input, string outputPath, bool resume = false, string? textColumn = null, Action<ScoreProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FileScorer.RunAsync(model.Engine, new ScoreOptions { Input = input, Output = outputPath, Resume = resume, TextColumn = textColumn }, progress, cancellationToken);

    internal static List<TableRow> ReadAll(string path, out TableColumns columns)
    {
        using var reader = TableReader.Open(path);
        var rows = new List<TableRow>();
        while (reader.Read() is { } row) rows.Add(row);
        columns = reader.Columns;
        return rows;
    }

    internal static void WriteCsv(string path, int rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("id,text\n");
        for (int i = 0; i < rows; i++) writer.Write($"{i},{Texts[i % Texts.Length]}\n");
    }

    [Fact]
    public async Task A_gb18030_file_with_malformed_and_empty_rows_keeps_every_row_and_reports_their_lines()
    {
        using var dir = new TempFolder();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb = Encoding.GetEncoding(54936);
        var csv = "id,review\n1,质量很好\n2,太差,多一列\n3,\n5,\"多行\n评论\"\n6,物流很快\n7,\"没有结束的引号\n";
        await File.WriteAllBytesAsync(dir["in.csv"], gb.GetBytes(csv));

        var summary = await Score(dir["in.csv"], dir["out.csv"]);

        Assert.Equal(SourceEncoding.Gb18030, summary.Encoding);
        Assert.Equal((6L, 3L), (summary.Rows, summary.Errors));
        Assert.Equal([3L, 4L, 8L], summary.ErrorLines);
        var rows = ReadAll(dir["out.csv"], out _);
        Assert.Equal(["1", "", "3", "5", "6", ""], rows.Select(r => r["id"]));
        Assert.Equal(["质量很好", "", "", "多行\n评论", "物流很快", ""], rows.Select(r => r["review"]));
        Assert.Equal(["", "line 3: expected 2 fields, found 3", "line 4: empty text", "", "", "line 8: unterminated quoted field"], rows.Select(r => r["error"]));
        Assert.All(rows.Where(r => r["error"] == ""), r => Assert.Contains(r["label"], new[] { "Positive", "Negative" }));
    }

    [Fact]
    public async Task A_utf8_file_with_a_gb18030_line_reads_that_line_as_gb18030()
    {
        using var dir = new TempFolder();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        // The encoding is decided on the first 64 KiB: put the GB18030 line after them.
        var utf8 = "text\n" + string.Concat(Enumerable.Repeat("很好\n", 10_000));
        byte[] content = [.. Encoding.UTF8.GetBytes(utf8), .. Encoding.GetEncoding(54936).GetBytes("太差了\n")];
        await File.WriteAllBytesAsync(dir["in.tsv"], content);

        var summary = await Score(dir["in.tsv"], dir["out.tsv"]);

        Assert.Equal((SourceEncoding.Utf8, 1L), (summary.Encoding, summary.Gb18030Lines));
        var rows = ReadAll(dir["out.tsv"], out _);
        Assert.Equal((10_001, "太差了"), (rows.Count, rows[^1]["text"]));
    }

    [Fact]
    public async Task Jsonl_rows_keep_their_keys_and_value_kinds()
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.jsonl"], "not json\n{\"content\":\"很好\",\"stars\":5,\"ok\":true}\n{\"content\":\"太差\",\"extra\":[1]}\n");

        var summary = await Score(dir["in.jsonl"], dir["out.jsonl"]);

        Assert.Equal([1L], summary.ErrorLines);
        var lines = await File.ReadAllLinesAsync(dir["out.jsonl"]);
        Assert.Equal("{\"error\":\"line 1: invalid JSON (byte 2)\"}", lines[0]);
        Assert.StartsWith("{\"content\":\"很好\",\"stars\":5,\"ok\":true,\"label\":", lines[1]);
        Assert.StartsWith("{\"content\":\"太差\",\"extra\":[1],\"label\":", lines[2]);
    }

    [Fact]
    public async Task An_interrupted_run_resumes_from_its_partial_output_and_ends_like_an_uninterrupted_one()
    {
        using var dir = new TempFolder();
        WriteCsv(dir["in.csv"], 20_000);
        await Score(dir["in.csv"], dir["whole.csv"]);

        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Score(dir["in.csv"], dir["out.csv"],
            progress: p => { if (p.Rows >= 5_000) cancel.Cancel(); }, cancellationToken: cancel.Token));
        Assert.False(File.Exists(dir["out.csv"]));
        // A killed process leaves a last line cut short: drop a few bytes to stand for it.
        var partial = await File.ReadAllBytesAsync(dir["out.csv.partial"]);
        await File.WriteAllBytesAsync(dir["out.csv.partial"], partial[..^7]);

        var summary = await Score(dir["in.csv"], dir["out.csv"], resume: true);

        Assert.InRange(summary.ResumedRows, 4_000, 19_999);
        Assert.Equal(20_000, summary.Rows);
        Assert.False(File.Exists(dir["out.csv.partial"]));
        Assert.Equal(await File.ReadAllTextAsync(dir["whole.csv"]), await File.ReadAllTextAsync(dir["out.csv"]));
    }

    [Theory]
    [InlineData("inside a quoted line break")]
    [InlineData("inside a character")]
    [InlineData("at a row boundary")]
    [InlineData("inside the header")]
    public async Task Resume_continues_whatever_point_the_partial_output_was_cut_at(string cut)
    {
        using var dir = new TempFolder();
        var csv = new StringBuilder("id,text\n");
        for (int i = 0; i < 600; i++) csv.Append(i % 3 == 0 ? $"{i},\"第{i}条，很好\n第二行\"\n" : $"{i},太差{i}\n");
        await File.WriteAllTextAsync(dir["in.csv"], csv.ToString());
        await Score(dir["in.csv"], dir["whole.csv"]);
        var whole = await File.ReadAllBytesAsync(dir["whole.csv"]);
        int middle = whole.Length / 2;
        int at = cut switch
        {
            "inside a quoted line break" => whole.AsSpan(middle).IndexOf("\n第二行"u8) + middle + 1,
            "inside a character" => whole.AsSpan(middle).IndexOf("太差"u8) + middle + 1,
            "at a row boundary" => whole.AsSpan(middle).IndexOf("\r\n"u8) + middle + 2,
            _ => 10,
        };
        await File.WriteAllBytesAsync(dir["out.csv.partial"], whole[..at]);

        var summary = await Score(dir["in.csv"], dir["out.csv"], resume: true);

        Assert.Equal(await File.ReadAllTextAsync(dir["whole.csv"]), await File.ReadAllTextAsync(dir["out.csv"]));
        Assert.Equal(600, summary.Rows);
        if (at > 100) Assert.InRange(summary.ResumedRows, 200, 400);
    }

    [Fact]
    public async Task Resume_refuses_a_partial_output_of_another_input()
    {
        using var dir = new TempFolder();
        WriteCsv(dir["in.csv"], 10);
        await File.WriteAllTextAsync(dir["out.csv.partial"], "id,text,label,score,prob_负面,prob_正面,error\n0,别的,Positive,0.5,0.5,0.5,\n");

        var error = await Assert.ThrowsAsync<ScoreException>(() => Score(dir["in.csv"], dir["out.csv"], resume: true));
        Assert.Contains("not a partial output of this input", error.Message);
    }

    [Fact]
    public async Task Resume_without_a_partial_output_scores_from_the_start()
    {
        using var dir = new TempFolder();
        WriteCsv(dir["in.csv"], 10);

        var summary = await Score(dir["in.csv"], dir["out.csv"], resume: true);

        Assert.Equal((10L, 0L), (summary.Rows, summary.ResumedRows));
    }

    [Fact]
    public async Task The_text_column_is_found_by_name_or_named_and_unknown_names_list_the_columns()
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.csv"], "label,Review,note\n1,很好,x\n");

        await Score(dir["in.csv"], dir["out.csv"]);
        var rows = ReadAll(dir["out.csv"], out var columns);
        Assert.Equal(["label", "Review", "note", "label_pred", .. ScoreColumns[1..]], columns);
        Assert.Equal("", rows[0]["error"]);

        await Score(dir["in.csv"], dir["out.csv"], textColumn: "note");
        var error = await Assert.ThrowsAsync<ScoreException>(() => Score(dir["in.csv"], dir["out.csv"], textColumn: "body"));
        Assert.Equal($"'{dir["in.csv"]}': there is no column 'body'; the columns are: label, Review, note", error.Message);

        await File.WriteAllTextAsync(dir["two.csv"], "a,b\nx,y\n");
        error = await Assert.ThrowsAsync<ScoreException>(() => Score(dir["two.csv"], dir["out.csv"]));
        Assert.Equal($"'{dir["two.csv"]}': {TextColumn.Problem(new TableColumns(["a", "b"]), null)}", error.Message);
        Assert.EndsWith("name it with --text-column. The columns are: a, b", error.Message);
    }
}
