using System.Text;
using ZhSentiment.Training;

namespace ZhSentiment.Tests.Training;

public class LabelledDatasetTests
{
    private static LabelledDataset Read(string name, string content, Encoding? encoding = null, string? textColumn = null, string? labelColumn = null)
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-data-").FullName;
        try
        {
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(content));
            return LabelledDataset.Read(path, textColumn: textColumn, labelColumn: labelColumn);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Reads_every_label_spelling_and_reports_bad_rows_with_their_lines()
    {
        var data = Read("d.tsv", "label\tsource\ttext\n1\ta\t很好\n负面\tb\t很差\n\ta\t没有标签\nmaybe\ta\t不知道\n正面\ta\t \nPositive\tb\t喜欢\nnegative\ta\t讨厌\n0\tb\t失望\n");
        Assert.Equal([1, 0, 1, 0, 0], data.Examples.Select(e => e.Label));
        Assert.Equal([2L, 3, 7, 8, 9], data.Examples.Select(e => e.Line));
        Assert.True(data.HasSource);
        Assert.Equal("b", data.Examples[1].Source);
        Assert.Equal(3, data.BadRowCount);
        Assert.Equal([4L, 5, 6], data.BadRows.Select(b => b.Line));
        Assert.Contains("missing label", data.BadRows[0].Problem);
        Assert.Contains("unknown label 'maybe'", data.BadRows[1].Problem);
        Assert.Contains("empty text", data.BadRows[2].Problem);
    }

    [Fact]
    public void Reads_csv_with_a_review_column_in_gb18030()
    {
        var data = Read("d.csv", "review,label\n\"好,很好\",1\n太差了,0\n", Encoding.GetEncoding("GB18030"));
        Assert.False(data.HasSource);
        Assert.Equal(["好,很好", "太差了"], data.Examples.Select(e => e.Text));
        Assert.Equal(0, data.BadRowCount);
    }

    [Fact]
    public void Reads_json_lines_and_counts_rows_without_fields()
    {
        var data = Read("d.jsonl", "{\"label\": 1, \"text\": \"喜欢\"}\n{\"text\": \"没有标签\"}\n{\"label\": \"正面\"}\nnot json\n{\"label\": 0, \"text\": \"讨厌\", \"source\": \"x\"}\n");
        Assert.Equal(["喜欢", "讨厌"], data.Examples.Select(e => e.Text));
        Assert.Equal([2L, 3, 4], data.BadRows.Select(b => b.Line));
        Assert.True(data.HasSource);
    }

    [Fact]
    public void A_table_without_the_needed_columns_is_an_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("d.tsv", "label\tid\tstars\n1\t7\t好\n"));
        Assert.Contains("cannot tell which column holds the text", e.Message);
        Assert.EndsWith("The columns are: label, id, stars", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Read("d.tsv", "sentiment\ttext\n1\t好\n"));
        Assert.Contains("there is no label column 'label' (name it with --label-column); the columns are: sentiment, text", e.Message);
    }

    [Fact]
    public void The_text_and_label_columns_can_be_named_and_the_text_is_found_by_the_shared_rule()
    {
        Assert.Equal(["好评"], Read("d.tsv", "Label\t评价\n1\t好评\n").Examples.Select(x => x.Text));
        Assert.Equal(["好评"], Read("d.tsv", "label\tbody\n1\t好评\n").Examples.Select(x => x.Text));
        var named = Read("d.tsv", "stars\tid\tbody\n正面\t7\t好评\n", textColumn: "body", labelColumn: "stars");
        Assert.Equal([("好评", 1)], named.Examples.Select(x => (x.Text, x.Label)));
    }

    [Fact]
    public void A_file_of_emotion_labels_is_an_emotion_file_in_any_spelling()
    {
        var data = Read("e.tsv", "label\tsource\ttext\n愤怒\ta\t气死了\nhappy\tb\t好开心\n中性\ta\t今天周三\nSadness\ta\t好难过\n惊讶\tb\t竟然这样\nhappiness\ta\t太棒了\n正面\ta\t很好\nmaybe\ta\t不知道\nnone\tb\t开会\n");
        Assert.True(data.IsEmotion);
        Assert.False(data.IsThreeClass);
        Assert.Equal(["anger", "happiness", "sadness", "surprise", "neutral"], data.Labels);
        Assert.Equal([0, 1, 4, 2, 3, 1, 4], data.Examples.Select(e => e.Label));
        Assert.Equal([2L, 3, 4, 5, 6, 7, 10], data.Examples.Select(e => e.Line));
        Assert.Equal(2, data.BadRowCount);
        Assert.Equal([8L, 9], data.BadRows.Select(b => b.Line));
        Assert.Contains("names no emotion", data.BadRows[0].Problem);
        Assert.Contains("unknown label 'maybe'", data.BadRows[1].Problem);

        // Remapped into a model's emotions, which may hold more than the file.
        var remapped = data.AsEmotions(ZhSentiment.Inference.LabelMeaning.Emotions).ToList();
        Assert.Equal(["anger", "happiness", "neutral", "sadness", "surprise", "happiness", "neutral"],
            remapped.Select(e => ZhSentiment.Inference.LabelMeaning.Emotions[e.Label]));
        Assert.Throws<ArgumentException>(() => data.AsEmotions(["anger", "happiness"]).ToList());
    }

    [Fact]
    public void Neutral_alone_does_not_make_an_emotion_file()
    {
        var data = Read("n.tsv", "label\ttext\nneutral\t开会\n负面\t很差\n正面\t很好\n");
        Assert.False(data.IsEmotion);
        Assert.True(data.IsThreeClass);
        Assert.Equal([1, 0, 2], data.Examples.Select(e => e.Label));
    }
}
