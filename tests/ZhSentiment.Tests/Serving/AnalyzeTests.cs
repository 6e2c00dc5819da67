using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ZhSentiment.Tests.Serving;

/// <summary><c>POST /v1/analyze</c> through the whole service, serving the arithmetic model.</summary>
public class AnalyzeTests(AnalyzeTests.Service fixture) : IClassFixture<AnalyzeTests.Service>
{
    public sealed class Service : IAsyncLifetime
    {
        internal TestService Instance { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Instance = await TestService.StartAsync(new()
        {
            ["MaxBatchTexts"] = "3",
            ["MaxTextChars"] = "40",
        });

        public ValueTask DisposeAsync() => Instance.DisposeAsync();
    }

    private TestService S => fixture.Instance;

    private static void AssertSpansPointIntoTheText(string text, JsonElement spans)
    {
        foreach (var span in spans.EnumerateArray())
        {
            int start = span.GetProperty("start").GetInt32(), end = span.GetProperty("end").GetInt32();
            Assert.Equal(text[start..end], span.GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task AnswersTheContractsFields()
    {
        // Short enough for one window of the arithmetic model, where removing a span changes its verdict.
        const string text = "😄价格高，但是物流慢";
        var json = await S.PostForJsonAsync("/v1/analyze", JsonSerializer.Serialize(new { text, aspects = "电商" }));

        Assert.Equal("default", json.GetProperty("model").GetString());
        var result = Assert.Single(json.GetProperty("results").EnumerateArray());
        Assert.Equal(["label", "score", "probabilities", "sentences", "evidence", "aspects", "mixed"], result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["负面", "正面"], result.GetProperty("probabilities").EnumerateArray().Select(p => p.GetProperty("label").GetString()));

        var sentences = result.GetProperty("sentences");
        Assert.Equal(["😄价格高", "但是物流慢"], sentences.EnumerateArray().Select(s => s.GetProperty("text").GetString()));
        Assert.Equal(["text", "start", "end", "label", "score"], sentences[0].EnumerateObject().Select(p => p.Name));
        AssertSpansPointIntoTheText(text, sentences);

        var evidence = result.GetProperty("evidence");
        Assert.NotEqual(0, evidence.GetArrayLength());
        Assert.Equal(["text", "start", "end", "weight"], evidence[0].EnumerateObject().Select(p => p.Name));
        AssertSpansPointIntoTheText(text, evidence);
        var weights = evidence.EnumerateArray().Select(e => Math.Abs(e.GetProperty("weight").GetSingle())).ToList();
        Assert.Equal(weights.OrderDescending(), weights);

        var aspects = result.GetProperty("aspects").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal(["物流", "质量", "价格", "包装", "客服", "外观", "描述", "尺码"], aspects.Keys);
        var logistics = aspects["物流"];
        Assert.Equal(["name", "mentioned", "label", "score", "evidence"], logistics.EnumerateObject().Select(p => p.Name));
        Assert.True(logistics.GetProperty("mentioned").GetBoolean());
        // The aspect's own opinion, from its mention on: the contrast marker belongs to the clause.
        Assert.Equal("物流慢", Assert.Single(logistics.GetProperty("evidence").EnumerateArray()).GetProperty("text").GetString());
        AssertSpansPointIntoTheText(text, logistics.GetProperty("evidence"));
        // Not mentioned: no label and no score.
        Assert.Equal(["name", "mentioned", "evidence"], aspects["客服"].EnumerateObject().Select(p => p.Name));
        Assert.False(aspects["客服"].GetProperty("mentioned").GetBoolean());
    }

    [Fact]
    public async Task WithoutContrastTheVerdictIsSentiments()
    {
        string[] texts = ["物流很快，包装也好", "zzzzzz，a", "abc"];
        var analyzed = await S.PostForJsonAsync("/v1/analyze", JsonSerializer.Serialize(new { texts }));
        var classified = await S.PostForJsonAsync("/v1/sentiment", JsonSerializer.Serialize(new { texts }));

        for (int i = 0; i < texts.Length; i++)
        {
            var a = analyzed.GetProperty("results")[i];
            var s = classified.GetProperty("results")[i];
            Assert.Equal(s.GetProperty("label").GetString(), a.GetProperty("label").GetString());
            Assert.Equal(s.GetProperty("score").GetSingle(), a.GetProperty("score").GetSingle());
            Assert.Empty(a.GetProperty("aspects").EnumerateArray());
        }
    }

    [Fact]
    public async Task PresetsAnswerToTheirAliases()
    {
        const string body = """{"text": "房间很干净，位置也好", "aspects": "%"}""";
        var byName = await S.PostForJsonAsync("/v1/analyze", body.Replace("%", "酒店"));
        var byAlias = await S.PostForJsonAsync("/v1/analyze", body.Replace("%", "hotel"));
        Assert.Equal(byName.ToString(), byAlias.ToString());
    }

    [Fact]
    public async Task CustomAspectsAreNamesOrNamesWithTerms()
    {
        const string text = "送货上门很方便，价格公道";
        var json = await S.PostForJsonAsync("/v1/analyze", JsonSerializer.Serialize(new
        {
            text,
            aspects = new object[] { "价格", new { name = "物流", terms = new[] { "送货", "快递" } }, new { name = "客服" } },
        }));
        var aspects = json.GetProperty("results")[0].GetProperty("aspects");
        Assert.Equal(["价格", "物流", "客服"], aspects.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.Equal([true, true, false], aspects.EnumerateArray().Select(a => a.GetProperty("mentioned").GetBoolean()));
        Assert.Equal("送货上门很方便", aspects[1].GetProperty("evidence")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task InfoListsThePresets()
    {
        var info = await S.Client.GetFromJsonAsync<JsonElement>("/info", TestContext.Current.CancellationToken);
        var presets = info.GetProperty("aspect_presets").EnumerateArray().ToDictionary(p => p.GetProperty("alias").GetString()!);
        Assert.Equal(["car", "ecommerce", "food_delivery", "hotel", "phone", "restaurant"], presets.Keys);
        Assert.Equal("外卖", presets["food_delivery"].GetProperty("name").GetString());
        Assert.Contains("配送", presets["food_delivery"].GetProperty("aspects").EnumerateArray().Select(a => a.GetString()));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"text": "好", "aspects": "电影"}""", "names no preset '电影'; the presets are 汽车 (car), 电商 (ecommerce)" },
        { """{"text": "好", "aspects": ""}""", "`aspects` is an empty preset name" },
        { """{"text": "好", "aspects": 3}""", "`aspects` must be a preset's name or an array of aspects, not a number" },
        { """{"text": "好", "aspects": []}""", "`aspects` is empty" },
        { """{"text": "好", "aspects": [1]}""", "`aspects[0]` must be a name or an object" },
        { """{"text": "好", "aspects": ["物流", {"terms": ["快递"]}]}""", "`aspects[1]` has no `name`" },
        { """{"text": "好", "aspects": [{"name": "物流", "terms": "快递"}]}""", "`aspects[0]`.terms must be an array of strings" },
        { """{"text": "好", "aspects": [{"name": "物流", "terms": [" "]}]}""", "`aspects[0]`.terms[0] must have 1 to 50 characters" },
        { """{"text": "好", "aspects": ["物流", "物流"]}""", "names '物流' twice" },
        { """{"text": "好", "aspects": [" "]}""", "`aspects[0]` needs a name of 1 to 50 characters" },
        { """{"text": "好", "aspects": "电商", "aspects": "酒店"}""", "`aspects` appears more than once" },
        { """{"text": "好", "aspects": [{"name": "a", "name": "b"}]}""", "`aspects[0]`.name appears more than once" },
        { """{"texts": ["好", "好", "好", "好"]}""", "more than 3 texts" },
        { """{"text": "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"}""", "has 41 characters; the limit is 40" },
        { """{"text": " "}""", "`text` is empty or only whitespace" },
        { "{}", "neither `text` nor `texts`" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task MalformedRequestsAreExplainedAsProblems(string body, string detail)
    {
        using var response = await S.PostJsonAsync("/v1/analyze", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TooManyAspectsAreRefused()
    {
        var body = JsonSerializer.Serialize(new { text = "好", aspects = Enumerable.Range(0, 101).Select(i => $"a{i}") });
        using var response = await S.PostJsonAsync("/v1/analyze", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task OtherRoutesIgnoreAspects()
    {
        var json = await S.PostForJsonAsync("/v1/sentiment", """{"text": "好", "aspects": 3}""");
        Assert.Single(json.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task ReportsTheInferenceTime()
    {
        using var response = await S.PostJsonAsync("/v1/analyze", """{"text": "好，不好"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(double.Parse(response.Headers.GetValues("X-Inference-Time-Ms").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 0);
    }
}
