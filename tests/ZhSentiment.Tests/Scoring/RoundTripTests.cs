using System.Diagnostics;
using ZhSentiment.Scoring;
using static ZhSentiment.Tests.Scoring.FileScorerTests;

namespace ZhSentiment.Tests.Scoring;

public class RoundTripTests(ShippedScoringModel model, ITestOutputHelper output) : IClassFixture<ShippedScoringModel>
{
    private Task<ScoreSummary> Score(string input, string outputPath) =>
        FileScorer.RunAsync(model.Engine, new ScoreOptions { Input = input, Output = outputPath });

    [Fact]
    public async Task A_100k_row_file_comes_back_complete_in_order_with_the_score_columns()
    {
        using var dir = new TempFolder();
        WriteCsv(dir["in.csv"], 100_000);
        var clock = Stopwatch.StartNew();
        var summary = await Score(dir["in.csv"], dir["out.csv"]);
        output.WriteLine($"100k rows scored in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.False(File.Exists(dir["out.csv.partial"]));
        Assert.Equal((100_000L, 0L), (summary.Rows, summary.Errors));
        var rows = ReadAll(dir["out.csv"], out var columns);
        var sentiment = model.Engine.Labels.SentimentHead;
        Assert.Equal(["id", "text", "label", "score", .. model.Engine.Labels.ModelLabels.Skip(sentiment.Offset).Take(sentiment.Count).Select(n => "prob_" + n), "error"], columns);
        Assert.Equal(100_000, rows.Count);
        var expected = model.Engine.Predict(FileScorerTests.Texts);
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), row["id"]);
            var want = expected[i % FileScorerTests.Texts.Length];
            Assert.Equal(want.Label, row["label"]);
            Assert.Equal(want.Score, float.Parse(row["score"]!, System.Globalization.CultureInfo.InvariantCulture), 1e-5f);
            Assert.Equal(want.Probabilities[sentiment.End - 1], float.Parse(row[columns[^2]]!, System.Globalization.CultureInfo.InvariantCulture), 1e-5f);
            Assert.Equal("", row["error"]);
        }
    }
}
