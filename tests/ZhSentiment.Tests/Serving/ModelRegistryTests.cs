using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Serving;
using ZhSentiment.Tests.Inference;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// Several models behind one service: named on every route, listed, described, measured apart, and replaced by
/// <c>POST /v1/models/{name}/reload</c> without a lost request. The models are arithmetic models; a source's number
/// of labels is its last character (<c>two</c>: 2, <c>three3</c>: 3), so an answer tells which instance gave it.
/// </summary>
public sealed class ModelRegistryTests
{
    private const string AdminKey = "admin-secret", ApiKey = "api-secret";

    /// <summary>Every engine made, by the name and source it was loaded from.</summary>
    private readonly ConcurrentQueue<(ModelSpec Spec, ArithmeticModel Model, SentimentEngine Engine)> _loads = new();

    private static Dictionary<string, string?> TwoModels(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ZhSentiment:Models:0:Name"] = "fast", ["ZhSentiment:Models:0:Source"] = "two",
            ["ZhSentiment:Models:1:Name"] = "wide", ["ZhSentiment:Models:1:Source"] = "three3",
        };
        foreach (var (k, v) in more ?? []) settings[k] = v;
        return settings;
    }

    private Task<SentimentEngine> Load(ModelSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Source == "broken") throw new ModelFormatException("/models/broken", "has no config.json");
        ModelSource.NameOf(spec.Source); // refuses a malformed modelscope: id, as the real load does
        int labels = char.IsDigit(spec.Source![^1]) ? spec.Source[^1] - '0' : 2;
        var model = new ArithmeticModel(labels: labels);
        string[] names = labels == 2 ? ["负面", "正面"] : ["负面", "中性", "正面"];
        var engine = new SentimentEngine(model, model, LabelSet.FromModelLabels(names), TestService.Info with { Name = spec.Name, Source = spec.Source, Architecture = "bert" }, spec.Load.Engine);
        _loads.Enqueue((spec, model, engine));
        return Task.FromResult(engine);
    }

    private Task<TestService> StartAsync(Dictionary<string, string?>? more = null, bool kestrel = false) =>
        TestService.StartAsync(TwoModels(more), kestrel: kestrel, factory: Load);

    private ArithmeticModel Latest(string name) => _loads.Last(l => l.Spec.Name == name).Model;

    private static HttpRequestMessage Reload(string name, string? key, string? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/{name}/reload");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    [Fact]
    public async Task RequestsNameTheirModelAndTheFirstIsTheDefault()
    {
        await using var service = await StartAsync();

        var byDefault = await service.PostForJsonAsync("/v1/sentiment", """{"text": "abc"}""");
        Assert.Equal("fast", byDefault.GetProperty("model").GetString());
        Assert.Equal(2, byDefault.GetProperty("results")[0].GetProperty("probabilities").GetArrayLength());
        var wide = await service.PostForJsonAsync("/v1/sentiment", """{"text": "abc", "model": "wide"}""");
        Assert.Equal("wide", wide.GetProperty("model").GetString());
        Assert.Equal(3, wide.GetProperty("results")[0].GetProperty("probabilities").GetArrayLength());
        Assert.Equal("wide", (await service.PostForJsonAsync("/v1/analyze", """{"text": "abc", "model": "WIDE"}""")).GetProperty("model").GetString());
        Assert.Equal(3, (await service.PostForJsonAsync("/tokenize", """{"text": "abc", "model": "wide"}""")).GetProperty("ids").GetArrayLength() - 2);

        // The Flask routes keep their body and take the model in the query; a body's "model" is theirs to ignore.
        var fast = await service.PostForJsonAsync("/predict?model=fast", """{"text": "abc"}""");
        var other = await service.PostForJsonAsync("/predict?model=wide", """{"text": "abc", "model": "fast"}""");
        Assert.NotEqual(fast.GetProperty("score").GetSingle(), other.GetProperty("score").GetSingle());
        Assert.Equal(2, (await service.PostForJsonAsync("/predict_batch?model=wide", """{"texts": ["a", "b"]}""")).GetArrayLength());

        using var unknown = await service.PostJsonAsync("/v1/emotion", """{"text": "abc", "model": "slow"}""");
        await BadInputTests.AssertProblemAsync(unknown, 404, "No model is named 'slow'; this service serves fast (the default), wide.");
        using var unknownFlask = await service.PostJsonAsync("/predict?model=slow", """{"text": "abc"}""");
        await BadInputTests.AssertProblemAsync(unknownFlask, 404, "No model is named 'slow'");
        using var notAName = await service.PostJsonAsync("/v1/sentiment", """{"text": "abc", "model": 3}""");
        await BadInputTests.AssertProblemAsync(notAName, 400, "`model` must be a model's name");
        using var twice = await service.PostJsonAsync("/predict?model=fast&model=wide", """{"text": "abc"}""");
        await BadInputTests.AssertProblemAsync(twice, 400, "`model` appears more than once");
    }

    [Fact]
    public async Task ModelsInfoReadyAndMetricsCoverEveryModel()
    {
        await using var service = await StartAsync();
        var models = await service.Client.GetFromJsonAsync<JsonElement>("/v1/models", TestContext.Current.CancellationToken);
        var list = models.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["fast", "wide"], list.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal([true, false], list.Select(m => m.GetProperty("default").GetBoolean()));
        Assert.All(list, m => Assert.True(m.GetProperty("ready").GetBoolean()));
        Assert.All(list, m => Assert.Equal("bert", m.GetProperty("kind").GetString()));
        Assert.Equal(["Negative", "Neutral", "Positive"], list[1].GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(["sentiment"], list[1].GetProperty("tasks").EnumerateArray().Select(l => l.GetString()));
        // A folder is shown by its name only: the API is open, and server paths are nothing a visitor needs.
        Assert.Equal(["two", "three3"], list.Select(m => m.GetProperty("source").GetString()));

        var info = await service.Client.GetFromJsonAsync<JsonElement>("/info", TestContext.Current.CancellationToken);
        Assert.Equal("fast", info.GetProperty("name").GetString());
        Assert.Equal(2, info.GetProperty("models").GetArrayLength());
        var wide = await service.Client.GetFromJsonAsync<JsonElement>("/info?model=wide", TestContext.Current.CancellationToken);
        Assert.Equal(3, wide.GetProperty("labels").GetArrayLength());

        await service.PostForJsonAsync("/v1/sentiment", """{"text": "abc", "model": "wide"}""");
        var metrics = await service.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("zhsenti_queue_depth{model=\"fast\"}", metrics);
        Assert.Contains("zhsenti_queue_depth{model=\"wide\"}", metrics);
        Assert.Contains("zhsenti_batch_rows_count{model=\"wide\"}", metrics);
    }

    [Fact]
    public async Task WithAnApiKeyTheSourceIsTheFullPath()
    {
        await using var service = await TestService.StartAsync(new() { ["ApiKey"] = ApiKey, ["ZhSentiment:Models:0:Name"] = "a", ["ZhSentiment:Models:0:Source"] = "models/two" }, factory: Load);
        service.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var models = await service.Client.GetFromJsonAsync<JsonElement>("/v1/models", TestContext.Current.CancellationToken);
        Assert.Equal(Path.GetFullPath("models/two"), models.GetProperty("models")[0].GetProperty("source").GetString());
    }

    [Fact]
    public async Task ASlowModelDoesNotHoldUpAnother()
    {
        await using var service = await StartAsync();
        Latest("wide").Gate.Reset();
        var stuck = service.PostJsonAsync("/v1/sentiment", """{"text": "abc", "model": "wide"}""");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        for (int i = 0; i < 20; i++) await service.PostForJsonAsync("/predict", """{"text": "abc"}""");
        Assert.False(stuck.IsCompleted);
        Latest("wide").Gate.Set();
        using var answered = await stuck;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task ManagementRoutesExistOnlyWithAnAdminKeyAndOnlyItOpensThem()
    {
        await using (var closed = await StartAsync())
        {
            using var response = await closed.Client.SendAsync(Reload("fast", AdminKey), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var service = await StartAsync(new() { ["AdminKey"] = AdminKey, ["ApiKey"] = ApiKey });
        foreach (var key in new[] { null, ApiKey, "wrong" })
        {
            using var refused = await service.Client.SendAsync(Reload("fast", key), TestContext.Current.CancellationToken);
            await BadInputTests.AssertProblemAsync(refused, 401, "admin key");
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
        }
        Assert.Equal(2, _loads.Count(l => l.Spec.Name == "fast")); // one for each service
        using var reloaded = await service.Client.SendAsync(Reload("fast", AdminKey), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        Assert.Equal(3, _loads.Count(l => l.Spec.Name == "fast"));
        using var unknown = await service.Client.SendAsync(Reload("slow", AdminKey), TestContext.Current.CancellationToken);
        await BadInputTests.AssertProblemAsync(unknown, 404, "fast (the default), wide");
    }

    [Fact]
    public async Task AReloadSwitchesAtOnceAndLetsTheOldInstanceFinishItsRequests()
    {
        await using var service = await StartAsync(new() { ["AdminKey"] = AdminKey }, kestrel: true);
        var (_, oldModel, oldEngine) = _loads.Last(l => l.Spec.Name == "wide");
        var old = service.Registry.Find("wide")!.Current!;
        oldModel.Gate.Reset();
        var queued = service.PostJsonAsync("/v1/sentiment", """{"text": "abc", "model": "wide"}""");
        await WaitUntilAsync(() => oldEngine.QueueDepth > 0 || !oldModel.Batches.IsEmpty);

        // A new source with two labels: the answers say which instance gave them.
        using var reloaded = await service.Client.SendAsync(Reload("wide", AdminKey, """{"source": "two"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        var item = await reloaded.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(["Negative", "Positive"], item.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("two", item.GetProperty("source").GetString());

        var fresh = await service.PostForJsonAsync("/v1/sentiment", """{"text": "abc", "model": "wide"}""");
        Assert.Equal(2, fresh.GetProperty("results")[0].GetProperty("probabilities").GetArrayLength());
        Assert.False(queued.IsCompleted);
        Assert.False(old.Freed.IsCompleted);

        oldModel.Gate.Set();
        using var answered = await queued;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var oldAnswer = await answered.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(3, oldAnswer.GetProperty("results")[0].GetProperty("probabilities").GetArrayLength());
        await old.Freed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // SIGHUP's reload of every model reloads from the new source.
        await service.Registry.ReloadAllAsync(TestContext.Current.CancellationToken);
        Assert.Equal("two", _loads.Last(l => l.Spec.Name == "wide").Spec.Source);
        Assert.Equal(2, _loads.Count(l => l.Spec.Name == "fast"));
    }

    [Fact]
    public async Task AReloadThatFailsLeavesTheOldModelServing()
    {
        await using var service = await StartAsync(new() { ["AdminKey"] = AdminKey });
        using var failed = await service.Client.SendAsync(Reload("wide", AdminKey, """{"source": "broken"}"""), TestContext.Current.CancellationToken);
        await BadInputTests.AssertProblemAsync(failed, 422, "Cannot load 'broken' as the model 'wide': /models/broken: has no config.json; 'wide' keeps serving its current instance.");
        using var malformed = await service.Client.SendAsync(Reload("wide", AdminKey, """{"source": 1}"""), TestContext.Current.CancellationToken);
        await BadInputTests.AssertProblemAsync(malformed, 400, "`source` must be a string");
        using var badId = await service.Client.SendAsync(Reload("wide", AdminKey, """{"source": "modelscope:nothing"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badId.StatusCode);

        var answer = await service.PostForJsonAsync("/v1/sentiment", """{"text": "abc", "model": "wide"}""");
        Assert.Equal(3, answer.GetProperty("results")[0].GetProperty("probabilities").GetArrayLength());
        Assert.Equal("three3", service.Registry.Find("wide")!.Spec.Source);
    }

    /// <param name="requested">Each model's own threads, '-' for none.</param>
    /// <param name="expected">What each gets, '-' for ONNX Runtime's default.</param>
    [Theory]
    [InlineData(null, "-", "-")]
    [InlineData(8, "- -", "4 4")]
    [InlineData(7, "- - -", "3 2 2")]
    [InlineData(8, "1 -", "1 7")]
    [InlineData(4, "2 2", "2 2")]
    public void ThreadsAreSplitWithinTheCoresGiven(int? total, string requested, string expected)
    {
        static int?[] Read(string list) => [.. list.Split(' ').Select(t => t == "-" ? (int?)null : int.Parse(t, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(Read(expected), ThreadShares.Split(total, Read(requested), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void ThreadsBeyondTheCoresGivenAreRefused()
    {
        ThreadShares.Split(2, [null, null, null], out var error);
        Assert.Equal("the models need 3 threads (at least 1 for each of the other 3) but ZhSentiment:Threads is 2.", error);
        ThreadShares.Split(4, [3, 2], out error);
        Assert.StartsWith("the models need 5 threads (5 of their own Threads, ", error);
    }

    [Theory]
    [InlineData("fast=/models/a", "fast", "/models/a")]
    [InlineData("b=modelscope:iic/x@v1", "b", "modelscope:iic/x@v1")]
    [InlineData("/models/a=b", null, "/models/a=b")]
    [InlineData("./a=b", null, "./a=b")]
    [InlineData("modelscope:iic/x", null, "modelscope:iic/x")]
    [InlineData("bad name=x", "bad name", "x")]
    public void ModelFlagsSplitNameAndSource(string value, string? name, string source) =>
        Assert.Equal((name, source), ServedModelOptions.Parse(value));

    [Theory]
    [InlineData("two models are named 'A'", "a", "x", "A", "y")]
    [InlineData("two models are named 'default'", null, "default", null, "")]
    [InlineData("the model name 'bad name' (ZhSentiment:Models:0:Name) may only hold letters, digits", "bad name", "x", "b", "y")]
    [InlineData("the model name 'a/b'", "a/b", "x", "b", "y")]
    [InlineData("ZhSentiment:Models:1:Source is missing", "a", "x", "b", null)]
    public void BadModelListsAreRefused(string says, string? name0, string? source0, string? name1, string? source1)
    {
        var options = new ServiceOptions
        {
            Models = [new() { Name = name0, Source = source0 }, new() { Name = name1, Source = source1 == "" ? "default" : source1 }],
        };
        var result = new ServiceOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(says, result.FailureMessage);
    }

    [Fact]
    public void ModelAndModelsTogetherAreRefusedAndABareModelKeepsItsName()
    {
        var both = new ServiceOptions { Model = "/m/x", Models = [new() { Name = "a", Source = "/m/y" }] };
        Assert.Contains("ZhSentiment:Model and ZhSentiment:Models are both set", new ServiceOptionsValidator().Validate(null, both).FailureMessage);

        var bare = new ServiceOptions { Model = "/m/my-bert", Threads = 3 }.ModelSpecs();
        Assert.Equal("my-bert", Assert.Single(bare).Name);
        Assert.Equal(3, bare[0].Load.Threads);
        Assert.Equal("iic/x@v1", new ServiceOptions { Model = "modelscope:iic/x@v1" }.ModelSpecs()[0].Name);
        Assert.Equal(ModelReference.ShippedName, new ServiceOptions().ModelSpecs()[0].Name);

        var two = new ServiceOptions
        {
            Quantize = "int8", Threads = 4, LongText = LongTextMode.Windows,
            Models = [new() { Name = "a", Source = "default", Quantize = "none", Threads = 1 }, new() { Source = "/m/b", LongText = LongTextMode.Truncate }],
        }.ModelSpecs();
        Assert.Equal(["a", "b"], two.Select(s => s.Name));
        Assert.Equal(["none", "int8"], two.Select(s => s.Load.Quantize));
        Assert.Equal([1, 3], two.Select(s => s.Load.Threads));
        Assert.Equal([LongTextMode.Windows, LongTextMode.Truncate], two.Select(s => s.Load.Engine.LongText.Mode));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition never held.");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
