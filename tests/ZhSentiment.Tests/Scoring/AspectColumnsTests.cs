using ZhSentiment.Analysis;
using ZhSentiment.Scoring;
using ZhSentiment.Tests.Analysis;

namespace ZhSentiment.Tests.Scoring;

public class AspectColumnsTests
{
    [Fact]
    public async Task EachAspectGetsAColumnWithTheLabelOfTheClausesThatMentionIt()
    {
        using var dir = new TempFolder();
        using var engine = PolarityModel.Engine();
        await File.WriteAllTextAsync(dir["in.csv"], "id,text,aspect_物流\n1,物流好，价格差,x\n2,价格好,x\n3,,x\n", TestContext.Current.CancellationToken);

        var summary = await FileScorer.RunAsync(engine, new ScoreOptions
        {
            Input = dir["in.csv"],
            Output = dir["out.csv"],
            Aspects = [new Aspect("物流", ["快递"]), new Aspect("价格", []), new Aspect("屏幕", [])],
        }, cancellationToken: TestContext.Current.CancellationToken);

        var rows = FileScorerTests.ReadAll(dir["out.csv"], out var columns);
        Assert.Equal(
            ["id", "text", "aspect_物流", "label", "score", "prob_负面", "prob_正面", "aspect_物流_pred", "aspect_价格", "aspect_屏幕", "mixed", "error"],
            columns);
        Assert.Equal(["Positive", "Negative", ""], [rows[0][7], rows[0][8], rows[0][9]]);
        Assert.Equal(["", "Positive", ""], [rows[1][7], rows[1][8], rows[1][9]]);
        // The label columns stay the whole text's, as without aspects (物流好，价格差 is even: 0.5).
        Assert.Equal(PolarityModel.Positive("价格好"), float.Parse(rows[1][4]!, System.Globalization.CultureInfo.InvariantCulture), 5);
        Assert.Equal(["true", "false", ""], [rows[0][10], rows[1][10], rows[2][10]]); // 物流好 and 价格差 alone: each side at σ(1) = 0.73
        Assert.Equal("line 4: empty text", rows[2][11]);
        Assert.Equal(1, summary.Errors);
    }
}
