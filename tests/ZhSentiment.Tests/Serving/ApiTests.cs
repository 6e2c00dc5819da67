using System.Globalization;
using System.Net;
using System.Text.Json;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Serving;

public class ApiTests
{
    private static void AssertClose(float expected, JsonElement actual) => Assert.Equal(expected, actual.GetSingle(), 5);

    [Fact]
    public async Task PredictAnswersExactlyLabelAndScore()
    {
        await using var service = await TestService.StartAsync();
        var json = await service.PostForJsonAsync("/predict", """{"text": "abc"}""");

        var expected = TestService.Expected("abc");
        Assert.Equal(["label", "score"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(expected[1] > expected[0] ? "Positive" : "Negative", json.GetProperty("label").GetString());
        AssertClose(expected.Max(), json.GetProperty("score"));
    }

    [Fact]
    public async Task PredictBatchAnswersInInputOrder()
    {
        await using var service = await TestService.StartAsync();
        string[] texts = ["zzzzzzzzzz", "a", "这家店的服务态度真是太好了", "mm m"];
        var json = await service.PostForJsonAsync("/predict_batch", JsonSerializer.Serialize(new { texts }));

        Assert.Equal(texts.Length, json.GetArrayLength());
        for (int i = 0; i < texts.Length; i++)
        {
            var expected = TestService.Expected(texts[i]);
            var item = json[i];
            Assert.Equal(["label", "score"], item.EnumerateObject().Select(p => p.Name));
            Assert.Equal(expected[1] > expected[0] ? "Positive" : "Negative", item.GetProperty("label").GetString());
            AssertClose(expected.Max(), item.GetProperty("score"));
        }
    }

    [Fact]
    public async Task SentimentGivesEveryProbabilityUnderTheModelsLabels()
    {
        await using var service = await TestService.StartAsync();
        var json = await service.PostForJsonAsync("/v1/sentiment", """{"text": "ab c"}""");

        Assert.Equal("default", json.GetProperty("model").GetString());
        var result = Assert.Single(json.GetProperty("results").EnumerateArray());
        var expected = TestService.Expected("abc");
        var probabilities = result.GetProperty("probabilities");
        Assert.Equal(["负面", "正面"], probabilities.EnumerateArray().Select(p => p.GetProperty("label").GetString()));
        AssertClose(expected[0], probabilities[0].GetProperty("score"));
        AssertClose(expected[1], probabilities[1].GetProperty("score"));
        Assert.Equal(expected[1] > expected[0] ? "Positive" : "Negative", result.GetProperty("label").GetString());
        Assert.Equal(expected[1] > expected[0] ? "正面" : "负面", result.GetProperty("model_label").GetString());
        AssertClose(expected.Max(), result.GetProperty("score"));
        Assert.Equal(3, result.GetProperty("tokens").GetInt32());
        Assert.Equal(1, result.GetProperty("windows").GetInt32());
    }

    [Fact]
    public async Task SentimentSplitsLongTextsIntoWindows()
    {
        await using var service = await TestService.StartAsync();
        var json = await service.PostForJsonAsync("/v1/sentiment", """{"texts": ["a", "abcdefghijklmnopqrstuvwxyzabcdefghij"]}""");

        var results = json.GetProperty("results");
        Assert.Equal(1, results[0].GetProperty("windows").GetInt32());
        Assert.True(results[1].GetProperty("windows").GetInt32() > 1);
        Assert.Equal(36, results[1].GetProperty("tokens").GetInt32());
    }

    [Fact]
    public async Task NeutralThresholdLabelsUncertainTextsNeutral()
    {
        await using var service = await TestService.StartAsync();
        // "a": logits [(1+3+2)/100, 3/10] = [0.06, 0.3] → top probability 0.5597; "zzzzzzzzzz": [(1+280+2)/100, 1.2] → 0.8399.
        string[] texts = ["a", "zzzzzzzzzz"];
        var confident = TestService.Expected(texts[1]).Max();
        var unsure = TestService.Expected(texts[0]).Max();
        Assert.True(unsure < 0.6 && confident > 0.6);

        var json = await service.PostForJsonAsync("/v1/sentiment", """{"texts": ["a", "zzzzzzzzzz"], "neutral_threshold": 0.6}""");
        var results = json.GetProperty("results");
        Assert.Equal("Neutral", results[0].GetProperty("label").GetString());
        AssertClose(unsure, results[0].GetProperty("score"));
        Assert.Equal("Negative", results[1].GetProperty("label").GetString());

        var without = await service.PostForJsonAsync("/v1/sentiment", """{"texts": ["a"]}""");
        Assert.Equal("Positive", without.GetProperty("results")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task InferenceTimeHeaderOnEveryResponse()
    {
        await using var service = await TestService.StartAsync();
        using var predicted = await service.PostJsonAsync("/predict", """{"text": "abc"}""");
        var ms = double.Parse(Assert.Single(predicted.Headers.GetValues("X-Inference-Time-Ms")), CultureInfo.InvariantCulture);
        Assert.True(ms > 0, $"model time {ms} ms");

        using var health = await service.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal("0", Assert.Single(health.Headers.GetValues("X-Inference-Time-Ms")));
        using var bad = await service.PostJsonAsync("/predict", """{"text": ""}""");
        Assert.Equal("0", Assert.Single(bad.Headers.GetValues("X-Inference-Time-Ms")));
        using var missing = await service.Client.GetAsync("/nowhere", TestContext.Current.CancellationToken);
        Assert.Equal("0", Assert.Single(missing.Headers.GetValues("X-Inference-Time-Ms")));
    }

    [Fact]
    public async Task InfoDescribesTheModelAndLimits()
    {
        await using var service = await TestService.StartAsync(new() { ["MaxTextChars"] = "123" });
        using var response = await service.Client.GetAsync("/info", TestContext.Current.CancellationToken);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.Equal("default", json.GetProperty("name").GetString());
        Assert.Equal("test", json.GetProperty("source").GetString());
        Assert.Equal(["Negative", "Positive"], json.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(["负面", "正面"], json.GetProperty("model_labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(16, json.GetProperty("max_sequence_length").GetInt32());
        Assert.Equal("none", json.GetProperty("quantization").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("int8_weights").ValueKind);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("onnxruntime_version").GetString()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("engine_version").GetString()));
        Assert.Equal(123, json.GetProperty("max_text_chars").GetInt32());
        Assert.Equal("by meaning: 负面 → Negative, 正面 → Positive", json.GetProperty("label_mapping").GetString());
        Assert.Equal("the model", json.GetProperty("label_source").GetString());
    }

    [Fact]
    public async Task A_three_class_model_answers_predict_with_a_polar_side_and_v1_with_Neutral()
    {
        string folder = Path.Combine(TestPaths.Fixtures, "models", "modelscope-3class");
        string cache = Directory.CreateTempSubdirectory("zhsenti-api-3class-").FullName;
        try
        {
            SentimentEngine? real = null;
            await using var service = await TestService.StartAsync(load: (_, _) =>
                Task.FromResult(real = ModelLoader.Load(folder, new ModelLoadOptions { Threads = 1, CacheDirectory = cache })));
            var texts = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "expected.json"))).RootElement
                .GetProperty("texts").EnumerateArray().Select(t => t.GetProperty("text").GetString()!).Where(t => t.Trim().Length > 0).ToArray();
            string neutral = texts.First(t => real!.Predict([t])[0].Label == "Neutral");

            using var predict = await service.PostJsonAsync("/predict", JsonSerializer.Serialize(new { text = neutral }));
            var answer = JsonDocument.Parse(await predict.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            var p = real!.Predict([neutral])[0].Probabilities;
            Assert.Equal(p[2] > p[0] ? "Positive" : "Negative", answer.GetProperty("label").GetString());
            Assert.Equal(Math.Max(p[0], p[2]) / (p[0] + p[2]), answer.GetProperty("score").GetSingle(), 5);

            using var v1 = await service.PostJsonAsync("/v1/sentiment", JsonSerializer.Serialize(new { text = neutral }));
            var result = JsonDocument.Parse(await v1.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("results")[0];
            Assert.Equal("Neutral", result.GetProperty("label").GetString());
            Assert.Equal("中性", result.GetProperty("model_label").GetString());

            using var info = await service.Client.GetAsync("/info", TestContext.Current.CancellationToken);
            var json = JsonDocument.Parse(await info.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            Assert.Equal(["Negative", "Neutral", "Positive"], json.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal("configuration.json model.label2id", json.GetProperty("label_source").GetString());
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task TokenizeShowsSpecialTokensAndIds()
    {
        await using var service = await TestService.StartAsync();
        var json = await service.PostForJsonAsync("/tokenize", """{"text": "ab"}""");
        Assert.Equal(["[CLS]", "a", "b", "[SEP]"], json.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([1, 3, 4, 2], json.GetProperty("ids").EnumerateArray().Select(t => t.GetInt32()));
    }

    [Fact]
    public async Task OpenApiDocumentsTheRoutesInSnakeCase()
    {
        await using var service = await TestService.StartAsync();
        var document = await service.Client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var json = JsonDocument.Parse(document).RootElement;
        var paths = json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var route in new[] { "/predict", "/predict_batch", "/v1/sentiment", "/info", "/tokenize", "/health", "/ready" })
            Assert.Contains(route, paths);
        Assert.DoesNotContain("/metrics", paths);
        var sentiment = json.GetProperty("paths").GetProperty("/v1/sentiment").GetProperty("post");
        var request = sentiment.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").ToString();
        Assert.Contains("neutral_threshold", request);
        Assert.Contains("\"400\"", sentiment.GetProperty("responses").ToString());
        Assert.Contains("model_label", document);

        using var page = await service.Client.GetAsync("/scalar/v1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.ToString());
    }
}
