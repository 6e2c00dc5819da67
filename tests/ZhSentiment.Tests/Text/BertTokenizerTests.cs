using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

/// <summary>
/// Token-for-token and id-for-id equality with the Hugging Face Rust tokenizer on every fixture text, for each
/// fixture configuration (tools/hf-oracle/make-fixtures.mjs wrote the expected output with the oracle).
/// </summary>
public class BertTokenizerTests
{
    public static TheoryData<string> Configurations =>
        ["cased", "uncased", "cased-strip-accents", "uncased-keep-accents", "no-chinese-split", "tokenizer-json"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Encodes_every_fixture_text_exactly_as_the_reference(string configuration)
    {
        using var folder = TokenizerFixtures.ModelFolder(configuration);
        var tokenizer = BertTokenizer.Load(folder.Path);
        var expected = TokenizerFixtures.Expected(configuration);
        Assert.True(expected.Count > 400, "the fixture should hold a few hundred texts");
        TokenizerFixtures.AssertSameEncodings(tokenizer, expected, configuration);
    }

    public static TheoryData<string> VocabConfigurations =>
        ["cased", "uncased", "cased-strip-accents", "uncased-keep-accents", "no-chinese-split"];

    [Theory]
    [MemberData(nameof(VocabConfigurations))]
    public void Normalizes_and_splits_every_fixture_text_exactly_as_the_reference(string configuration)
    {
        using var folder = TokenizerFixtures.ModelFolder(configuration);
        var normalizer = BertTokenizer.Load(folder.Path).Normalizer;
        var texts = TokenizerFixtures.Texts();
        var expected = File.ReadAllLines(Path.Combine(TokenizerFixtures.Root, configuration, "normalized.jsonl"));
        Assert.Equal(texts.Count, expected.Length);
        var failures = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            using var json = System.Text.Json.JsonDocument.Parse(expected[i]);
            var wantNormalized = json.RootElement.GetProperty("normalized").GetString();
            var wantWords = json.RootElement.GetProperty("words").EnumerateArray().Select(w => w.GetString()!);
            var normalized = normalizer.Normalize(texts[i]);
            if (normalized != wantNormalized || !BertPreTokenizer.Split(normalized).SequenceEqual(wantWords))
                failures.Add($"{TokenizerFixtures.JsonLine(texts[i])}: ours {TokenizerFixtures.JsonLine(normalized)}, HF {TokenizerFixtures.JsonLine(wantNormalized!)}");
        }
        Assert.True(failures.Count == 0, $"{configuration}: {failures.Count} texts normalize differently:\n" + string.Join('\n', failures.Take(15)));
    }

    [Fact]
    public void Fixture_configurations_load_with_the_intended_normalizer()
    {
        string Describe(string configuration)
        {
            using var folder = TokenizerFixtures.ModelFolder(configuration);
            return BertTokenizer.Load(folder.Path).ToString();
        }
        Assert.Contains("lowercase off, strip accents off, Chinese characters split on", Describe("cased"));
        Assert.Contains("lowercase on, strip accents on, Chinese characters split on", Describe("uncased"));
        Assert.Contains("lowercase off, strip accents on", Describe("cased-strip-accents"));
        Assert.Contains("lowercase on, strip accents off", Describe("uncased-keep-accents"));
        Assert.Contains("Chinese characters split off", Describe("no-chinese-split"));
        Assert.Contains("lowercase on, strip accents off", Describe("tokenizer-json"));
    }

    [Fact]
    public void Special_ids_come_from_the_vocabulary()
    {
        using var folder = TokenizerFixtures.ModelFolder("cased");
        var tokenizer = BertTokenizer.Load(folder.Path);
        Assert.Equal((0, 1, 2, 3), (tokenizer.PadTokenId, tokenizer.UnkTokenId, tokenizer.ClsTokenId, tokenizer.SepTokenId));
        Assert.Equal(File.ReadAllLines(TokenizerFixtures.VocabPath).Length, tokenizer.VocabularySize);
        Assert.Equal("[SEP]", tokenizer.IdToToken(tokenizer.SepTokenId));
        Assert.Equal(["a", "##a"], tokenizer.Tokenize("aa"));
        Assert.Equal("##a", tokenizer.IdToToken(Array.IndexOf(File.ReadAllLines(TokenizerFixtures.VocabPath), "##a")));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.IdToToken(tokenizer.VocabularySize));
    }

    [Fact]
    public void Added_tokens_beyond_the_vocabulary_get_ids_after_it()
    {
        using var folder = TokenizerFixtures.ModelFolder("tokenizer-json");
        var tokenizer = BertTokenizer.Load(folder.Path);
        int distinctTokens = File.ReadAllLines(TokenizerFixtures.VocabPath).Distinct().Count();
        Assert.Equal(distinctTokens + 3, tokenizer.VocabularySize); // <emoji>, 好评, HTTPS://
        Assert.Equal("<emoji>", tokenizer.IdToToken(distinctTokens));
        var ids = new List<int>();
        tokenizer.EncodeTo("<emoji>好评", ids);
        Assert.Equal([distinctTokens, distinctTokens + 1], ids);
    }

    [Fact]
    public void EncodeTo_appends_and_allocates_nothing_per_call()
    {
        using var folder = TokenizerFixtures.ModelFolder("uncased");
        var tokenizer = BertTokenizer.Load(folder.Path);
        const string review = "这家店的服务很好，物流也快！iPhone 15 只要￥5999，强烈推荐👍 [SEP] Café naïve ÅNGSTRÖM";
        var ids = new List<int>(1024) { -1 };
        tokenizer.EncodeTo(review, ids);
        int count = ids.Count - 1;
        Assert.Equal(-1, ids[0]);
        Assert.Equal(tokenizer.Tokenize(review).Count, count);

        for (int i = 0; i < 5000; i++) // warm the pools and the JIT (tier-up)
        {
            ids.Clear();
            tokenizer.EncodeTo(review, ids);
        }
        const int calls = 10_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            ids.Clear();
            tokenizer.EncodeTo(review, ids);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Under a byte per call: no call allocates (the smallest object is 24 bytes); the pool may refill after a GC trims it.
        Assert.True(allocated < calls, $"{calls} calls of EncodeTo allocated {allocated} bytes");
    }

    [Fact]
    public void Is_safe_to_use_from_many_threads()
    {
        using var folder = TokenizerFixtures.ModelFolder("cased-strip-accents");
        var tokenizer = BertTokenizer.Load(folder.Path);
        var expected = TokenizerFixtures.Expected("cased-strip-accents");
        Parallel.For(0, 8, _ =>
        {
            var ids = new List<int>();
            foreach (var e in expected)
            {
                ids.Clear();
                ids.Add(tokenizer.ClsTokenId);
                tokenizer.EncodeTo(e.Text, ids);
                ids.Add(tokenizer.SepTokenId);
                Assert.Equal(e.Ids, ids);
            }
        });
    }
}
