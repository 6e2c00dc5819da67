using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

public class LabelSetTests
{
    [Theory]
    [InlineData("负面", "正面")]
    [InlineData("negative", "positive")]
    [InlineData("NEGATIVE", "Positive")]
    [InlineData("LABEL_0", "LABEL_1")]
    [InlineData("0", "1")]
    [InlineData("消极", "积极")]
    public void TwoClassSetsMapToCanonicalNames(string first, string second)
    {
        var labels = LabelSet.FromModelLabels([first, second]);
        Assert.True(labels.IsCanonical);
        Assert.Equal(["Negative", "Positive"], labels.Names);
        Assert.Equal([first, second], labels.ModelLabels);
    }

    [Fact]
    public void OrderFollowsTheModelNotTheConvention()
    {
        var labels = LabelSet.FromModelLabels(["正面", "负面"]);
        Assert.Equal(["Positive", "Negative"], labels.Names);
    }

    [Fact]
    public void ThreeClassSetWithNeutralMaps()
    {
        var labels = LabelSet.FromModelLabels(["负面", "中性", "正面"]);
        Assert.Equal(["Negative", "Neutral", "Positive"], labels.Names);
    }

    [Theory]
    [InlineData("体育", "财经")]
    [InlineData("LABEL_1", "LABEL_0")]
    [InlineData("正面", "正面")]
    public void UnmappableSetsKeepTheirOwnNames(string first, string second)
    {
        var labels = LabelSet.FromModelLabels([first, second]);
        Assert.False(labels.IsCanonical);
        Assert.Equal([first, second], labels.Names);
    }

    [Theory]
    [InlineData("negative (stars 1, 2 and 3)", "positive (stars 4 and 5)")] // uer jd-binary / dianping
    [InlineData("差评", "好评")]
    [InlineData("Negative（差）", "Positive（好）")]
    public void SpellingsWithNotesMapByMeaning(string first, string second)
    {
        var labels = LabelSet.FromModelLabels([first, second]);
        Assert.Equal(["Negative", "Positive"], labels.Names);
        Assert.StartsWith("by meaning", labels.Mapping);
    }

    [Theory]
    [InlineData("star 1", "star 2", "star 3", "star 4", "star 5")] // uer jd-full
    [InlineData("1 star", "2 stars", "3 stars", "4 stars", "5 stars")] // nlptown
    [InlineData("Very Negative", "Negative", "Neutral", "Positive", "Very Positive")]
    public void FiveClassRatingsMapToTheirSides(string a, string b, string c, string d, string e)
    {
        var labels = LabelSet.FromModelLabels([a, b, c, d, e]);
        Assert.True(labels.IsCanonical);
        Assert.Equal(["Negative", "Negative", "Neutral", "Positive", "Positive"], labels.Names);
    }

    [Fact]
    public void PolarityComparesTheSummedSidesAndIgnoresNeutral()
    {
        var stars = LabelSet.FromModelLabels(["star 1", "star 2", "star 3", "star 4", "star 5"]);
        // The top class is star 1, but stars 4 and 5 together outweigh stars 1 and 2.
        // The score is the winning side's share of the polar probability (0.5 of 0.9; 0.15 of 0.2).
        var (label, score) = stars.Binary([0.3f, 0.1f, 0.1f, 0.25f, 0.25f]);
        Assert.Equal("Positive", label);
        Assert.Equal(0.5f / 0.9f, score, 5);
        var three = LabelSet.FromModelLabels(["负面", "中性", "正面"]);
        (label, score) = three.Binary([0.15f, 0.8f, 0.05f]);
        Assert.Equal("Negative", label);
        Assert.Equal(0.75f, score, 5);
        Assert.Equal(new SentimentVerdict("Positive", 0.7f), LabelSet.FromModelLabels(["负面", "正面"]).Binary([0.3f, 0.7f]));
    }

    [Fact]
    public void UnmappedSetsAnswerTheirTopClass()
    {
        var labels = LabelSet.FromModelLabels(["体育", "财经", "娱乐"]);
        Assert.Equal(new SentimentVerdict("财经", 0.7f), labels.Binary([0.2f, 0.7f, 0.1f]));
        Assert.Equal(new SentimentVerdict("财经", 0.7f), labels.ThreeWay([0.2f, 0.7f, 0.1f]));
        Assert.StartsWith("none", labels.Mapping);
    }

    [Fact]
    public void OnlyNeutralAndOneSideIsNotCanonical()
    {
        Assert.False(LabelSet.FromModelLabels(["中性", "正面"]).IsCanonical);
    }

    [Fact]
    public void A_single_output_is_the_probability_of_its_own_label()
    {
        var positive = LabelSet.FromModelLabels(["positive"]);
        Assert.True(positive.SentimentHead.Sigmoid);
        Assert.Equal(new SentimentVerdict("Positive", 0.75f), positive.Binary([0.75f]));
        Assert.Equal(new SentimentVerdict("Positive", 0.75f), positive.ThreeWay([0.75f]));
        Assert.Equal(new SentimentVerdict("Negative", 0.75f), positive.Binary([0.25f]));
        var unnamed = LabelSet.FromModelLabels(["LABEL_0"]);
        Assert.False(unnamed.IsCanonical);
        Assert.Equal(new SentimentVerdict("LABEL_0", 0.25f), unnamed.Binary([0.25f]));
    }

    [Fact]
    public void Multi_label_sets_are_scored_with_sigmoids_and_say_so()
    {
        var labels = LabelSet.FromModelLabels(["负面", "正面"], multiLabel: true);
        Assert.True(labels.SentimentHead.Sigmoid);
        Assert.EndsWith("scores are sigmoids", labels.Mapping);
        Assert.False(LabelSet.FromModelLabels(["负面", "正面"]).SentimentHead.Sigmoid);
    }

    [Fact]
    public void The_three_way_answer_sums_sides_so_its_polar_label_is_the_binary_one()
    {
        var stars = LabelSet.FromModelLabels(["star 1", "star 2", "star 3", "star 4", "star 5"]);
        // Star 1 is the top class, but stars 4 and 5 hold more: both answers say Positive, with that side's mass.
        float[] p = [0.3f, 0.1f, 0.1f, 0.25f, 0.25f];
        Assert.Equal("Positive", stars.Binary(p).Label);
        Assert.Equal(new SentimentVerdict("Positive", 0.5f), stars.ThreeWay(p));
        // Neutral wins only when its classes outweigh each polar side.
        Assert.Equal(new SentimentVerdict("Neutral", 0.5f), stars.ThreeWay([0.1f, 0.1f, 0.5f, 0.2f, 0.1f]));
        Assert.Equal("Negative", stars.ThreeWay([0.3f, 0.1f, 0.35f, 0.2f, 0.05f]).Label);
        var three = LabelSet.FromModelLabels(["负面", "中性", "正面"]);
        Assert.Equal(new SentimentVerdict("Neutral", 0.8f), three.ThreeWay([0.15f, 0.8f, 0.05f]));
        Assert.Equal(new SentimentVerdict("Positive", 0.6f), three.ThreeWay([0.1f, 0.3f, 0.6f]));
    }

    [Theory]
    [InlineData("愤怒", "anger")] [InlineData("生气", "anger")] [InlineData("Angry", "anger")] [InlineData("ANGER", "anger")]
    [InlineData("厌恶", "disgust")] [InlineData("disgust", "disgust")]
    [InlineData("恐惧", "fear")] [InlineData("害怕", "fear")] [InlineData("Fear", "fear")]
    [InlineData("高兴", "happiness")] [InlineData("快乐", "happiness")] [InlineData("喜悦", "happiness")] [InlineData("happy", "happiness")]
    [InlineData("Joy", "happiness")] [InlineData("happiness", "happiness")]
    [InlineData("喜好", "like")] [InlineData("喜爱", "like")] [InlineData("like", "like")] [InlineData("LOVE", "like")]
    [InlineData("悲伤", "sadness")] [InlineData("难过", "sadness")] [InlineData("sad", "sadness")] [InlineData("Sadness", "sadness")]
    [InlineData("惊讶", "surprise")] [InlineData("惊奇", "surprise")] [InlineData("surprise", "surprise")]
    [InlineData("无情绪", "neutral")] [InlineData("无明显情绪", "neutral")] [InlineData("中性", "neutral")] [InlineData("neutral", "neutral")]
    [InlineData("none", "neutral")] [InlineData("NULL", "neutral")]
    public void Every_emotion_spelling_maps_to_its_canonical_name(string spelling, string emotion)
    {
        Assert.Equal(emotion, LabelMeaning.Emotion(spelling));
        Assert.Equal(emotion, LabelMeaning.Emotion($" {spelling} "));
    }

    [Fact]
    public void A_seven_emotion_model_is_an_emotion_model_that_answers_sentiment_by_sides()
    {
        // ModelScope's StructBERT emotion model, in its own order.
        var labels = LabelSet.FromModelLabels(["恐惧", "高兴", "悲伤", "喜好", "厌恶", "愤怒", "惊讶"]);
        Assert.Equal(LabelTask.Emotion, labels.SentimentHead.Task);
        Assert.Same(labels.SentimentHead, labels.EmotionHead);
        Assert.Equal(["sentiment", "emotion"], labels.Tasks);
        Assert.Equal(["fear", "happiness", "sadness", "like", "disgust", "anger", "surprise"], labels.Names);
        Assert.StartsWith("emotions by meaning: 恐惧 → fear", labels.Mapping);
        // happiness + like = 0.45 against fear + sadness + disgust + anger = 0.4: Positive, 0.45 / 0.85 of the polar mass.
        float[] p = [0.1f, 0.25f, 0.1f, 0.2f, 0.05f, 0.15f, 0.15f];
        Assert.Equal("Positive", labels.Binary(p).Label);
        Assert.Equal(0.45f / 0.85f, labels.Binary(p).Score, 5);
        Assert.Equal(new SentimentVerdict("Positive", 0.45f), labels.ThreeWay(p));
        Assert.Equal(1, labels.TopEmotion(p));
        // Surprise counts for neither side: a mostly surprised text is Neutral three-way, yet binary still picks a side.
        float[] surprised = [0.05f, 0.05f, 0.05f, 0.02f, 0.02f, 0.01f, 0.8f];
        Assert.Equal(new SentimentVerdict("Neutral", 0.8f), labels.ThreeWay(surprised));
        Assert.Equal("Negative", labels.Binary(surprised).Label);
        Assert.Equal(["fear", "happiness", "sadness", "like", "disgust", "anger", "surprise"], labels.Emotions(p).Select(e => e.Label));
        Assert.Equal(0.25f, labels.Emotions(p)[1].Score);
        Assert.Equal("高兴", labels.Emotions(p)[1].ModelLabel);
    }

    [Fact]
    public void A_multi_label_emotion_model_sums_shares_of_its_sigmoid_scores()
    {
        var labels = LabelSet.FromModelLabels(["anger", "joy", "sadness", "neutral"], multiLabel: true);
        Assert.True(labels.EmotionHead!.Sigmoid);
        float[] p = [0.9f, 0.6f, 0.3f, 0.2f]; // independent: they sum to 2
        Assert.Equal((0.3f, 0.6f, 0.1f), labels.SideSums(p));
        Assert.Equal(new SentimentVerdict("Negative", 0.6f), labels.ThreeWay(p));
        Assert.Equal(new SentimentVerdict("Negative", 0.6f / 0.9f), labels.Binary(p));
    }

    [Fact]
    public void A_sentiment_head_and_an_emotion_head_answer_each_from_their_own_classes()
    {
        var labels = LabelSet.FromHeads([["负面", "中性", "正面"], ["anger", "fear", "happiness", "neutral", "sadness", "surprise"]]);
        Assert.Equal(2, labels.Heads.Count);
        Assert.Equal(LabelTask.Sentiment, labels.SentimentHead.Task);
        Assert.Equal(3, labels.EmotionHead!.Offset);
        float[] p = [0.2f, 0.1f, 0.7f, 0.6f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f];
        Assert.Equal(new SentimentVerdict("Positive", 0.7f), labels.ThreeWay(p));
        Assert.Equal(3, labels.TopEmotion(p));
        Assert.Equal("anger", labels.Names[labels.TopEmotion(p)]);
        Assert.Equal(6, labels.Emotions(p).Length);
    }

    [Theory]
    [InlineData("高兴", "快乐")] // two spellings of one emotion
    [InlineData("anger", "体育")]
    [InlineData("neutral", "none")]
    public void Sets_that_are_not_distinct_emotions_are_not_emotion_models(string first, string second)
    {
        var labels = LabelSet.FromModelLabels([first, second]);
        Assert.Null(labels.EmotionHead);
    }

    [Fact]
    public void Sentiment_models_have_no_emotions()
    {
        var labels = LabelSet.FromModelLabels(["负面", "中性", "正面"]);
        Assert.Null(labels.EmotionHead);
        Assert.Equal(-1, labels.TopEmotion([0.1f, 0.2f, 0.7f]));
        Assert.Empty(labels.Emotions([0.1f, 0.2f, 0.7f]));
        Assert.Equal(["sentiment"], labels.Tasks);
    }
}
