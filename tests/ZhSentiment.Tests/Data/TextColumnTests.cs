using ZhSentiment.Data;

namespace ZhSentiment.Tests.Data;

/// <summary>The one text-column rule that score, train, eval and the web page share.</summary>
public sealed class TextColumnTests
{
    [Theory]
    [InlineData("id|text|review", null, -1, 1)]
    [InlineData("id|REVIEW|content", null, -1, 1)]
    [InlineData("id|Content", null, -1, 1)]
    [InlineData("comment|id", null, -1, 0)]
    [InlineData("编号|评价", null, -1, 1)]
    [InlineData("编号|内容|评论", null, -1, 2)]
    [InlineData("文本", null, -1, 0)]
    [InlineData("body", null, -1, 0)]
    [InlineData("id|body", null, -1, -1)]
    [InlineData("label|body", null, 0, 1)]
    [InlineData("body|label", null, 1, 0)]
    [InlineData("label|id|body", null, 0, -1)]
    [InlineData("id|body|text", "body", -1, 1)]
    [InlineData("id|Body", "body", -1, 1)]
    [InlineData("id|text", "body", -1, -1)]
    public void Finds_the_named_column_else_a_usual_name_in_any_case_else_the_only_one(string columns, string? named, int besides, int expected)
    {
        Assert.Equal(expected, TextColumn.Find(new TableColumns(columns.Split('|')), named, besides));
    }

    [Fact]
    public void The_problem_lists_the_columns_and_says_what_to_do()
    {
        var columns = new TableColumns(["id", "body"]);
        Assert.Equal("there is no column 'x'; the columns are: id, body", TextColumn.Problem(columns, "x"));
        Assert.StartsWith("cannot tell which column holds the text (none is named text, review, content, comment", TextColumn.Problem(columns, null));
        Assert.EndsWith("name it with --text-column. The columns are: id, body", TextColumn.Problem(columns, null));
    }
}
