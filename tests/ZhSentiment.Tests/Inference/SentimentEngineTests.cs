using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

public class SentimentEngineTests
{
    private static readonly ModelInfo Info = new() { Name = "arithmetic", Source = "test", Folder = "test", Architecture = "test", MaxSequenceLength = 16 };

    private static (SentimentEngine Engine, ArithmeticModel Model) Create(EngineOptions? options = null, int maxLength = 16)
    {
        var model = new ArithmeticModel(maxLength);
        return (new SentimentEngine(model, model, LabelSet.FromModelLabels(["负面", "正面"]), Info with { MaxSequenceLength = maxLength }, options), model);
    }

    private static float[] Softmax(float[] logits)
    {
        var e = logits.Select(l => Math.Exp(l - logits.Max())).ToArray();
        return e.Select(v => (float)(v / e.Sum())).ToArray();
    }

    /// <summary>Expected probabilities for a text that fits one window.</summary>
    private static float[] Expected(string text) =>
        Softmax(ArithmeticModel.LogitsOf(new[] { ArithmeticModel.Cls }.Concat(text.Where(c => !char.IsWhiteSpace(c)).Select(ArithmeticModel.TokenId)).Append(ArithmeticModel.Sep)));

    [Fact]
    public async Task PredictsOneText()
    {
        var (engine, _) = Create();
        using var _e = engine;
        var result = await engine.PredictAsync("abc");
        var expected = Expected("abc");
        Assert.Equal(expected, result.Probabilities, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(expected[1] > expected[0] ? "Positive" : "Negative", result.Label);
        Assert.Equal(expected.Max(), result.Score, 6);
        Assert.Equal(3, result.Tokens);
        Assert.Equal(1, result.Windows);
    }

    [Fact]
    public async Task ConcurrentCallersGetTheirOwnAnswersAndWorkIsBatched()
    {
        var (engine, model) = Create(new EngineOptions { MaxBatchRows = 8 });
        using var _e = engine;
        var texts = Enumerable.Range(0, 200).Select(i => new string((char)('a' + i % 26), 1 + i % 13)).ToArray();

        model.Gate.Reset(); // let requests pile up so that they must share batches
        var tasks = texts.Select(t => Task.Run(() => engine.PredictAsync(t))).ToArray();
        while (engine.QueueDepth < 150) await Task.Delay(5, TestContext.Current.CancellationToken);
        model.Gate.Set();
        var results = await Task.WhenAll(tasks);

        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(Expected(texts[i]), results[i].Probabilities, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Contains(model.Batches, b => b.Rows > 1);
        Assert.All(model.Batches, b => Assert.True(b.Rows <= 8));
    }

    [Fact]
    public async Task BatchRequestKeepsInputOrder()
    {
        var (engine, _) = Create();
        using var _e = engine;
        var texts = new[] { "zzzzzzzzzz", "a", "mmm", "zz", "abcdefghijk" };
        var results = await engine.PredictAsync(texts);
        Assert.Equal(texts.Length, results.Length);
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(Expected(texts[i]), results[i].Probabilities, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task BatchesGroupSimilarLengthsWithinTheTokenBudget()
    {
        var (engine, model) = Create(new EngineOptions { MaxBatchTokens = 64, MaxBatchRows = 64 });
        using var _e = engine;
        model.Gate.Reset();
        var shortTexts = Enumerable.Range(0, 8).Select(_ => "ab").ToArray();        // 4 tokens framed
        var longTexts = Enumerable.Range(0, 4).Select(_ => "abcdefghijklmn").ToArray(); // 16 tokens framed
        var pending = engine.PredictAsync(shortTexts.Concat(longTexts).ToArray(), TestContext.Current.CancellationToken);
        model.Gate.Set();
        await pending;
        Assert.All(model.Batches, b => Assert.True(b.Rows * b.Length <= 64));
        Assert.Contains((8, 4), model.Batches);   // the short texts ran together, unpadded
        Assert.Contains((4, 16), model.Batches);
    }

    [Fact]
    public async Task LongTextIsSplitIntoWindowsAndCombined()
    {
        var (engine, _) = Create(new EngineOptions { LongText = new LongTextOptions { Overlap = 4 } }, maxLength: 10);
        using var _e = engine;
        var text = "abcdefghijklmnopqrst"; // 20 tokens, 8 per window, stride 4: windows at 0, 4, 8, 12
        var result = await engine.PredictAsync(text);
        Assert.Equal(4, result.Windows);
        Assert.Equal(20, result.Tokens);
        var ids = text.Select(ArithmeticModel.TokenId).ToArray();
        // Each window weighs exp(30 · (top probability − 1/2) + 3 · position), position 0 for the first and 1 for the last.
        var expected = new double[2];
        double total = 0;
        int[] starts = [0, 4, 8, 12];
        for (int w = 0; w < starts.Length; w++)
        {
            var p = Softmax(ArithmeticModel.LogitsOf(new[] { ArithmeticModel.Cls }.Concat(ids.Skip(starts[w]).Take(8)).Append(ArithmeticModel.Sep)));
            double weight = Math.Exp(30 * (p.Max() - 0.5) + 3.0 * w / (starts.Length - 1));
            total += weight;
            expected[0] += weight * p[0];
            expected[1] += weight * p[1];
        }
        expected[0] /= total;
        expected[1] /= total;
        Assert.Equal(expected, result.Probabilities.Select(p => (double)p), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n\u3000")]
    public async Task EmptyTextIsAnError(string text)
    {
        var (engine, _) = Create();
        using var _e = engine;
        await Assert.ThrowsAsync<ArgumentException>(() => engine.PredictAsync(text));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => engine.PredictAsync(["fine", text]));
        Assert.Contains("Text 1", e.Message);
    }

    [Fact]
    public async Task FullQueueRefusesWholeRequestsAndRecovers()
    {
        var (engine, model) = Create(new EngineOptions { QueueCapacity = 10, MaxBatchRows = 1 });
        using var _e = engine;
        model.Gate.Reset();
        var first = engine.PredictAsync(Enumerable.Repeat("a", 8).ToArray(), TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<EngineOverloadedException>(() => engine.PredictAsync(Enumerable.Repeat("b", 5).ToArray()));
        model.Gate.Set();
        Assert.Equal(8, (await first).Length);
        Assert.Equal(5, (await engine.PredictAsync(Enumerable.Repeat("b", 5).ToArray())).Length);
    }

    [Fact]
    public async Task CancelledRequestsAreDroppedBeforeTheyRun()
    {
        var (engine, model) = Create(new EngineOptions { MaxBatchRows = 1 });
        using var _e = engine;
        model.Gate.Reset();
        var blocker = engine.PredictAsync("a", TestContext.Current.CancellationToken);
        while (engine.QueueDepth > 0) await Task.Delay(1, TestContext.Current.CancellationToken); // the batcher holds "a" at the gate
        using var cts = new CancellationTokenSource();
        var cancelled = engine.PredictAsync(Enumerable.Repeat("bbbbbbb", 20).ToArray(), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        model.Gate.Set();
        await blocker;
        await engine.PredictAsync("c", TestContext.Current.CancellationToken);
        Assert.Equal(2, model.Batches.Count); // "a" and "c"; none of the cancelled windows ran
        Assert.Equal(0, engine.QueueDepth);
    }

    [Fact]
    public async Task ModelFailureFailsOnlyItsBatch()
    {
        var (engine, model) = Create(new EngineOptions { MaxBatchRows = 1 });
        using var _e = engine;
        model.PoisonId = ArithmeticModel.TokenId('x');
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.PredictAsync("xyz"));
        Assert.Equal(Expected("abc"), (await engine.PredictAsync("abc")).Probabilities, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void TokenizeShowsSpecialTokensAroundTheWholeText()
    {
        var (engine, _) = Create(maxLength: 4);
        using var _e = engine;
        var (tokens, ids) = engine.Tokenize("abcdef");
        Assert.Equal(["[CLS]", "a", "b", "c", "d", "e", "f", "[SEP]"], tokens);
        Assert.Equal(8, ids.Count);
    }
}
