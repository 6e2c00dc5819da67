using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// <c>/v1/emotion</c> and the sentiment routes on an emotion model: an arithmetic model with ModelScope's seven emotion
/// labels in its order, whose logit k counts the letter 'a' + k (a: 恐惧, b: 高兴, c: 悲伤, d: 喜好, e: 厌恶, f: 愤怒, g: 惊讶).
/// </summary>
public class EmotionApiTests
{
    internal static readonly string[] SevenEmotions = ["恐惧", "高兴", "悲伤", "喜好", "厌恶", "愤怒", "惊讶"];
    private static readonly string[] Canonical = ["fear", "happiness", "sadness", "like", "disgust", "anger", "surprise"];

    private static Task<TestService> Start(Dictionary<string, string?>? settings = null) => TestService.StartAsync(settings, labels: SevenEmotions);

    [Fact]
    public async Task Emotion_answers_the_top_emotion_and_every_class_in_the_models_order()
    {
        await using var service = await Start();
        var json = await service.PostForJsonAsync("/v1/emotion", """{"texts": ["ffff a", "bbb dd"]}""");

        Assert.Equal("default", json.GetProperty("model").GetString());
        var results = json.GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        string[] texts = ["ffff a", "bbb dd"];
        string[] top = ["anger", "happiness"];
        string[] own = ["愤怒", "高兴"];
        for (int i = 0; i < texts.Length; i++)
        {
            var expected = TestService.Expected(texts[i], SevenEmotions.Length);
            var r = results[i];
            Assert.Equal(["label", "score", "model_label", "emotions"], r.EnumerateObject().Select(p => p.Name));
            Assert.Equal(top[i], r.GetProperty("label").GetString());
            Assert.Equal(own[i], r.GetProperty("model_label").GetString());
            Assert.Equal(expected.Max(), r.GetProperty("score").GetSingle(), 5);
            var emotions = r.GetProperty("emotions").EnumerateArray().ToArray();
            Assert.Equal(Canonical, emotions.Select(e => e.GetProperty("label").GetString()));
            Assert.Equal(SevenEmotions, emotions.Select(e => e.GetProperty("model_label").GetString()));
            for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], emotions[c].GetProperty("score").GetSingle(), 5);
            Assert.Equal(1f, emotions.Sum(e => e.GetProperty("score").GetSingle()), 4);
        }
    }

    [Theory]
    [InlineData("ff bb dd")] // anger ties happiness and like; the two positive emotions outweigh it
    [InlineData("fff aa b")]
    [InlineData("ccc ddd g")]
    public async Task The_seed_routes_sum_the_emotions_of_each_side(string text)
    {
        await using var service = await Start();
        var p = TestService.Expected(text, SevenEmotions.Length);
        float positive = p[1] + p[3], negative = p[0] + p[2] + p[4] + p[5];
        string side = positive > negative ? "Positive" : "Negative";

        var predict = await service.PostForJsonAsync("/predict", $$"""{"text": "{{text}}"}""");
        Assert.Equal(side, predict.GetProperty("label").GetString());
        Assert.Equal(Math.Max(positive, negative) / (positive + negative), predict.GetProperty("score").GetSingle(), 5);

        var sentiment = (await service.PostForJsonAsync("/v1/sentiment", $$"""{"text": "{{text}}"}""")).GetProperty("results")[0];
        Assert.Equal(side, sentiment.GetProperty("label").GetString());
        Assert.Equal(Math.Max(positive, negative), sentiment.GetProperty("score").GetSingle(), 5);
        Assert.Equal(SevenEmotions, sentiment.GetProperty("probabilities").EnumerateArray().Select(c => c.GetProperty("label").GetString()));
    }

    [Fact]
    public async Task Surprise_counts_for_neither_side()
    {
        await using var service = await Start();
        var surprised = (await service.PostForJsonAsync("/v1/sentiment", """{"text": "gggg"}""")).GetProperty("results")[0];
        Assert.Equal("Neutral", surprised.GetProperty("label").GetString());
        Assert.Equal("惊讶", surprised.GetProperty("model_label").GetString());
        var binary = await service.PostForJsonAsync("/predict", """{"text": "gggg"}""");
        Assert.Equal("Negative", binary.GetProperty("label").GetString()); // four negative emotions against two positive ones, all equal
        var emotion = await service.PostForJsonAsync("/v1/emotion", """{"text": "gggg"}""");
        Assert.Equal("surprise", emotion.GetProperty("results")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task Info_says_it_is_an_emotion_model_with_the_mapping()
    {
        await using var service = await Start();
        var info = await service.Client.GetFromJsonAsync<JsonElement>("/info", TestContext.Current.CancellationToken);
        Assert.Equal(["sentiment", "emotion"], info.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(Canonical, info.GetProperty("emotions").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(Canonical, info.GetProperty("labels").EnumerateArray().Select(t => t.GetString()));
        Assert.StartsWith("emotions by meaning: 恐惧 → fear, 高兴 → happiness", info.GetProperty("label_mapping").GetString());
    }

    [Fact]
    public async Task A_sentiment_model_answers_400_in_one_sentence_and_stays_ready()
    {
        await using var service = await TestService.StartAsync();
        using var response = await service.PostJsonAsync("/v1/emotion", """{"text": "abc"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("has no emotion labels (its labels are 负面, 正面)", detail);
        Assert.Contains("iic/nlp_structbert_emotion-classification_chinese-base", detail);
        var info = await service.Client.GetFromJsonAsync<JsonElement>("/info", TestContext.Current.CancellationToken);
        Assert.Equal(["sentiment"], info.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        Assert.Empty(info.GetProperty("emotions").EnumerateArray());
    }

    [Theory]
    [InlineData("{}", "neither `text` nor `texts`")]
    [InlineData("""{"text": ""}""", "`text` is empty or only whitespace")]
    [InlineData("""{"text": "abcdefghijklmnopqrstu"}""", "`text` has 21 characters; the limit is 20")]
    [InlineData("""{"texts": ["a", "b", "c", "d"]}""", "more than 3 texts")]
    [InlineData("""{"text": "a", "texts": ["b"]}""", "either `text` or `texts`")]
    [InlineData("""{"texts": ["a", 5]}""", "`texts[1]` must be a string")]
    public async Task Bad_bodies_get_one_clear_error(string body, string message)
    {
        await using var service = await Start(new() { ["MaxBatchTexts"] = "3", ["MaxTextChars"] = "20" });
        using var response = await service.PostJsonAsync("/v1/emotion", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(message, problem.GetProperty("detail").GetString());
        // Nothing lost: the next request is answered.
        var ok = await service.PostForJsonAsync("/v1/emotion", """{"text": "ff"}""");
        Assert.Equal("anger", ok.GetProperty("results")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task The_api_key_guards_the_route()
    {
        await using var service = await Start(new() { ["ApiKey"] = "secret" });
        using var denied = await service.PostJsonAsync("/v1/emotion", """{"text": "ff"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    [Fact]
    public async Task Analyze_gives_each_sentence_its_emotion()
    {
        await using var service = await Start();
        var json = await service.PostForJsonAsync("/v1/analyze", """{"text": "ffff。bbbb"}""");
        var result = json.GetProperty("results")[0];
        var sentences = result.GetProperty("sentences").EnumerateArray().ToArray();
        Assert.Equal(["anger", "happiness"], sentences.Select(s => s.GetProperty("emotion").GetString()));
        Assert.All(sentences, s => Assert.InRange(s.GetProperty("emotion_score").GetSingle(), 0.2f, 1f));
        Assert.True(result.TryGetProperty("emotion", out _));

        // A sentiment model's analysis has no emotion fields at all.
        await using var sentiment = await TestService.StartAsync();
        var plain = (await sentiment.PostForJsonAsync("/v1/analyze", """{"text": "abc。def"}""")).GetProperty("results")[0];
        Assert.False(plain.TryGetProperty("emotion", out _));
        Assert.False(plain.GetProperty("sentences")[0].TryGetProperty("emotion", out _));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_route_with_an_example()
    {
        await using var service = await Start();
        var document = await service.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        var post = document.GetProperty("paths").GetProperty("/v1/emotion").GetProperty("post");
        Assert.Contains("\"label\": \"anger\"", post.GetProperty("description").GetString());
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.TryGetProperty("EmotionResponse", out var response));
        Assert.True(response.GetProperty("properties").TryGetProperty("results", out _));
        Assert.True(schemas.GetProperty("EmotionItem").GetProperty("properties").TryGetProperty("model_label", out _));
    }
}

/// <summary>
/// A five-star model (star 1 … star 5, letters a … e): every surface gives one verdict, by summing each side's classes,
/// even when the single top class is on the other side.
/// </summary>
public class StarRatingConsistencyTests
{
    private static readonly string[] Stars = ["star 1", "star 2", "star 3", "star 4", "star 5"];

    [Theory]
    [InlineData("aa dd ee", "Positive")] // star 1 is the top class (a tie broken by order), stars 4 and 5 hold more
    [InlineData("aaa bb ee", "Negative")]
    [InlineData("ccccc a e", "Neutral")]
    public async Task Predict_sentiment_and_analyze_agree(string text, string threeWay)
    {
        await using var service = await TestService.StartAsync(labels: Stars);
        var p = TestService.Expected(text, Stars.Length);
        float negative = p[0] + p[1], neutral = p[2], positive = p[3] + p[4];

        var sentiment = (await service.PostForJsonAsync("/v1/sentiment", $$"""{"text": "{{text}}"}""")).GetProperty("results")[0];
        Assert.Equal(threeWay, sentiment.GetProperty("label").GetString());
        Assert.Equal(Math.Max(neutral, Math.Max(positive, negative)), sentiment.GetProperty("score").GetSingle(), 5);

        var predict = await service.PostForJsonAsync("/predict", $$"""{"text": "{{text}}"}""");
        string binary = positive > negative ? "Positive" : "Negative";
        Assert.Equal(binary, predict.GetProperty("label").GetString());
        if (threeWay != "Neutral") Assert.Equal(threeWay, binary);

        var analyze = (await service.PostForJsonAsync("/v1/analyze", $$"""{"text": "{{text}}"}""")).GetProperty("results")[0];
        Assert.Equal(threeWay, analyze.GetProperty("label").GetString());
    }
}
