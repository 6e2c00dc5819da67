using ZhSentiment.Inference;
using ZhSentiment.Scoring;
using ZhSentiment.Tests.Inference;
using ZhSentiment.Tests.Serving;

namespace ZhSentiment.Tests.Scoring;

/// <summary><c>score --emotion</c>'s columns and the naming of every added column after the model's own labels.</summary>
public class EmotionColumnsTests
{
    private static SentimentEngine EmotionEngine(out ArithmeticModel model)
    {
        model = new ArithmeticModel(labels: EmotionApiTests.SevenEmotions.Length);
        return new SentimentEngine(model, model, LabelSet.FromModelLabels(EmotionApiTests.SevenEmotions), TestService.Info);
    }

    [Fact]
    public async Task Emotion_columns_follow_the_sentiment_columns_and_come_before_error()
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.csv"], "id,text,emotion\n1,ffff,x\n2,bbb dd,y\n3,,z\n", TestContext.Current.CancellationToken);
        using var engine = EmotionEngine(out var model);
        using (model)
        {
            var summary = await FileScorer.RunAsync(engine, new ScoreOptions { Input = dir["in.csv"], Output = dir["out.csv"], Emotion = true },
                cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal((3L, 1L), (summary.Rows, summary.Errors));
        }
        var rows = FileScorerTests.ReadAll(dir["out.csv"], out var columns);
        string[] emotions = ["fear", "happiness", "sadness", "like", "disgust", "anger", "surprise"];
        // The input's own `emotion` column keeps its name; the added one gets _pred.
        Assert.Equal(["id", "text", "emotion", "label", "score", .. EmotionApiTests.SevenEmotions.Select(l => "prob_" + l),
            "emotion_pred", "emotion_score", .. emotions.Select(e => "emo_" + e), "error"], columns);
        var expected = TestService.Expected("ffff", emotions.Length);
        Assert.Equal("anger", rows[0]["emotion_pred"]);
        Assert.Equal("x", rows[0]["emotion"]);
        Assert.Equal(expected.Max(), float.Parse(rows[0]["emotion_score"]!, System.Globalization.CultureInfo.InvariantCulture), 5);
        for (int c = 0; c < emotions.Length; c++)
            Assert.Equal(expected[c], float.Parse(rows[0]["emo_" + emotions[c]]!, System.Globalization.CultureInfo.InvariantCulture), 5);
        Assert.Equal("Negative", rows[0]["label"]);
        Assert.Equal("happiness", rows[1]["emotion_pred"]);
        Assert.Equal("Positive", rows[1]["label"]);
        Assert.Equal("", rows[2]["emotion_pred"]);
        Assert.Equal("line 4: empty text", rows[2]["error"]);
    }

    [Fact]
    public async Task Emotion_columns_on_a_model_without_emotions_fail_before_writing_anything()
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.csv"], "id,text\n1,abc\n", TestContext.Current.CancellationToken);
        using var model = new ArithmeticModel();
        using var engine = new SentimentEngine(model, model, LabelSet.FromModelLabels(["负面", "正面"]), TestService.Info);
        var error = await Assert.ThrowsAsync<ScoreException>(() =>
            FileScorer.RunAsync(engine, new ScoreOptions { Input = dir["in.csv"], Output = dir["out.csv"], Emotion = true }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.StartsWith("The model 'arithmetic' has no emotion labels (its labels are 负面, 正面)", error.Message);
        Assert.False(File.Exists(dir["out.csv"]));
        Assert.False(File.Exists(dir["out.csv.partial"]));
    }

    [Theory]
    [InlineData(new[] { "star 1", "star 2", "star 3" }, new[] { "prob_star_1", "prob_star_2", "prob_star_3" })]
    [InlineData(new[] { "负面", "正面" }, new[] { "prob_负面", "prob_正面" })]
    [InlineData(new[] { "negative (stars 1, 2 and 3)", "positive (stars 4 and 5)" }, new[] { "prob_negative_stars_1_2_and_3", "prob_positive_stars_4_and_5" })]
    [InlineData(new[] { "a b", "a-b", "a/b" }, new[] { "prob_a_b", "prob_a_b_2", "prob_a_b_3" })]
    [InlineData(new[] { "a!!!b", " (x) " }, new[] { "prob_a_b", "prob_x" })]
    public void Probability_columns_are_the_models_labels_made_safe_and_distinct(string[] labels, string[] columns) =>
        Assert.Equal(columns, FileScorer.ColumnNames("prob_", labels));

    [Fact]
    public async Task A_star_rating_model_writes_one_column_per_star_and_the_summed_verdict()
    {
        using var dir = new TempFolder();
        await File.WriteAllTextAsync(dir["in.csv"], "text\naa dd ee\n", TestContext.Current.CancellationToken);
        string[] stars = ["star 1", "star 2", "star 3", "star 4", "star 5"];
        using var model = new ArithmeticModel(labels: stars.Length);
        using var engine = new SentimentEngine(model, model, LabelSet.FromModelLabels(stars), TestService.Info);
        await FileScorer.RunAsync(engine, new ScoreOptions { Input = dir["in.csv"], Output = dir["out.csv"] }, cancellationToken: TestContext.Current.CancellationToken);
        var rows = FileScorerTests.ReadAll(dir["out.csv"], out var columns);
        Assert.Equal(["text", "label", "score", "prob_star_1", "prob_star_2", "prob_star_3", "prob_star_4", "prob_star_5", "error"], columns);
        // Star 1 is the single top class, but stars 4 and 5 together outweigh stars 1 and 2.
        Assert.Equal("Positive", rows[0]["label"]);
        var p = TestService.Expected("aa dd ee", stars.Length);
        Assert.Equal(p[3] + p[4], float.Parse(rows[0]["score"]!, System.Globalization.CultureInfo.InvariantCulture), 5);
    }
}
