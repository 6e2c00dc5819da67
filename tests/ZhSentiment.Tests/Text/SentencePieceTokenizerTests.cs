using System.Text.Json.Nodes;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

/// <summary>
/// The SentencePiece Unigram tokenizer (XLM-RoBERTa) against the Hugging Face Rust tokenizer's output for the
/// fixture texts (tools/hf-oracle/make_xlmr_tokenizer.py: a Unigram model with SentencePiece's nmt_nfkc charsmap, in
/// the tokenizer.json layouts of xlm-roberta-base and of today's converter), and its parts on cases built by hand.
/// </summary>
public class SentencePieceTokenizerTests
{
    public static TheoryData<string> Configurations => ["xlm-roberta", "xlm-roberta-strip"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Encodes_every_fixture_text_exactly_as_the_reference(string configuration)
    {
        using var folder = TokenizerFixtures.ModelFolder(configuration);
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.IsType<SentencePieceTokenizer>(tokenizer);
        var expected = TokenizerFixtures.Expected(configuration);
        Assert.True(expected.Count > 500, "the fixture should hold the shared texts and XLM-R's own");
        Assert.Contains(expected, e => e.Ids.Skip(1).SkipLast(1).Contains(tokenizer.UnkTokenId) && e.Tokens.Contains("<unk>") is false);
        TokenizerFixtures.AssertSameEncodings(tokenizer, expected, configuration);
    }

    [Fact]
    public void Special_tokens_and_framing_are_XLM_R_s()
    {
        using var folder = TokenizerFixtures.ModelFolder("xlm-roberta");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.Equal((0, 2, 1, 3), (tokenizer.ClsTokenId, tokenizer.SepTokenId, tokenizer.PadTokenId, tokenizer.UnkTokenId));
        Assert.Equal("<mask>", tokenizer.IdToToken(tokenizer.VocabularySize - 1));
        // <mask> swallows the whitespace before it (lstrip), as XLM-R's added token says; HF spells the token with it.
        Assert.Equal(["▁好", " <mask>", "▁好"], tokenizer.Tokenize("好 <mask> 好"));
    }

    [Fact]
    public void The_precompiled_charsmap_applies_NFKC_per_grapheme_as_HF_does()
    {
        using var folder = TokenizerFixtures.ModelFolder("xlm-roberta");
        var tokenizer = (SentencePieceTokenizer)TokenizerLoader.Load(folder.Path);
        Assert.Equal("ABC123!?", tokenizer.Normalize("ＡＢＣ１２３！？"));
        Assert.Equal("(1)kg", tokenizer.Normalize("⑴㎏"));
        Assert.Equal("a b", tokenizer.Normalize("a\u3000b"));
        // A grapheme of under 6 UTF-8 bytes takes the replacement of its shortest matching prefix whole: the accent goes.
        Assert.Equal("A", tokenizer.Normalize("Ａ\u0301"));
        // Half-width katakana with its voicing mark (6 bytes) is looked up per character.
        Assert.Equal("カ\u3099", tokenizer.Normalize("ｶﾞ"));
    }

    [Fact]
    public void Viterbi_takes_the_best_scoring_path_and_fuses_unknown_characters()
    {
        // The example of tokenizers' Unigram::encode documentation.
        using var folder = Folder(UnigramJson([("<unk>", 0), ("a", 0), ("b", 0), ("c", 0), ("d", 0), ("cd", 1), ("ab", 2), ("abc", 5), ("abcd", 10)],
            metaspace: """{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": true}"""));
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.Equal(["abcd", "a", "cd", "xx"], tokenizer.Tokenize("abcdacdxx"));
        var ids = new List<int>();
        tokenizer.EncodeTo("abcdacdxx", ids);
        Assert.Equal([8, 1, 5, 0], ids);
    }

    [Fact]
    public void Byte_fallback_spells_unknown_characters_in_UTF8_bytes()
    {
        var pieces = new List<(string, double)> { ("<unk>", 0), ("▁", -1), ("a", -2) };
        pieces.AddRange(Enumerable.Range(0, 256).Select(b => ($"<0x{b:X2}>", -5.0)));
        using var folder = Folder(UnigramJson(pieces, byteFallback: true));
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.Equal(["▁", "a", "<0xE5>", "<0xA5>", "<0xBD>"], tokenizer.Tokenize("a好"));
    }

    [Fact]
    public void Metaspace_prepends_and_keeps_runs_of_replacements_together()
    {
        using var folder = Folder(UnigramJson([("<unk>", 0), ("▁", -1), ("▁a", -1), ("a", -2), ("b", -2), ("▁b", -1)]));
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.Equal(["▁a", "▁b"], tokenizer.Tokenize("a b"));
        // HF's MergedWithNext split: "▁▁b" is one word, segmented by the model.
        Assert.Equal(["▁a", "▁", "▁b"], tokenizer.Tokenize("a  b"));
        Assert.Empty(tokenizer.Tokenize(""));
    }

    [Fact]
    public void EncodeTo_appends_and_allocates_nothing_per_call()
    {
        using var folder = TokenizerFixtures.ModelFolder("xlm-roberta-strip");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        const string review = "这家店的服务很好，物流也快！iPhone 15 只要￥5999，强烈推荐👍 <mask> Café ＡＢＣ  鼑龘";
        var ids = new List<int>(1024) { -1 };
        tokenizer.EncodeTo(review, ids);
        Assert.Equal(-1, ids[0]);
        Assert.Equal(tokenizer.Tokenize(review).Count, ids.Count - 1);
        for (int i = 0; i < 3000; i++)
        {
            ids.Clear();
            tokenizer.EncodeTo(review, ids);
        }
        const int calls = 5000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            ids.Clear();
            tokenizer.EncodeTo(review, ids);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < calls, $"{calls} calls of EncodeTo allocated {allocated} bytes");
    }

    [Fact]
    public void Is_safe_to_use_from_many_threads()
    {
        using var folder = TokenizerFixtures.ModelFolder("xlm-roberta");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        var expected = TokenizerFixtures.Expected("xlm-roberta");
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

    public static TheoryData<string, string> BadTokenizerJson => new()
    {
        { """{"model": {"type": "BPE", "vocab": {}, "merges": []}}""", "tokenizer model type \"BPE\" is not supported; supported: WordPiece (BERT), Unigram (SentencePiece, XLM-RoBERTa)" },
        { """{"model": {"type": "WordLevel", "vocab": {}}}""", "tokenizer model type \"WordLevel\" is not supported" },
        { UnigramJson([("a", 0)]).Replace("\"unk_id\": 0", "\"unk_id\": null"), "model.unk_id is null" },
        { UnigramJson([("a", 0)]).Replace("\"unk_id\": 0", "\"unk_id\": 5"), "model.unk_id is 5" },
        { UnigramJson([("a", 0)]).Replace("[\"a\",0]", "[\"a\"]"), "model.vocab entry 0" },
        { UnigramJson([("<unk>", 0)], normalizer: """{"type": "NFKC"}"""), "normalizer \"NFKC\" is not supported with a Unigram model" },
        { UnigramJson([("<unk>", 0)], normalizer: """{"type": "Precompiled", "precompiled_charsmap": "AQID"}"""), "precompiled_charsmap is malformed" },
        { UnigramJson([("<unk>", 0)], normalizer: """{"type": "Precompiled", "precompiled_charsmap": "%%"}"""), "not base64" },
        { UnigramJson([("<unk>", 0)], metaspace: """{"type": "Whitespace"}"""), "pre_tokenizer \"Whitespace\" is not supported with a Unigram model" },
        { UnigramJson([("<unk>", 0)], metaspace: """{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "sometimes"}"""), "prepend_scheme \"sometimes\"" },
    };

    [Theory]
    [MemberData(nameof(BadTokenizerJson))]
    public void Unsupported_or_broken_tokenizer_json_is_refused_in_one_line(string json, string problem)
    {
        using var folder = Folder(json);
        var e = Assert.Throws<ModelFormatException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Equal(folder.File("tokenizer.json"), e.File);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static TempFolder Folder(string tokenizerJson)
    {
        var folder = new TempFolder();
        File.WriteAllText(folder.File("tokenizer.json"), tokenizerJson);
        return folder;
    }

    /// <summary>A minimal Unigram tokenizer.json: &lt;unk&gt; framing, no normalizer unless given, Metaspace prepending ▁.</summary>
    private static string UnigramJson(IEnumerable<(string Piece, double Score)> pieces, bool byteFallback = false, string normalizer = "null",
        string metaspace = """{"type": "Metaspace", "replacement": "▁", "add_prefix_space": true}""")
    {
        var vocab = new JsonArray(pieces.Select(p => (JsonNode)new JsonArray(p.Piece, p.Score)).ToArray());
        string model = $"{{\"type\": \"Unigram\", \"unk_id\": 0, \"byte_fallback\": {(byteFallback ? "true" : "false")}, \"vocab\": {vocab.ToJsonString()}}}";
        return $$"""
            {"version": "1.0", "added_tokens": [], "normalizer": {{normalizer}}, "pre_tokenizer": {{metaspace}},
             "post_processor": {"type": "RobertaProcessing", "sep": ["<unk>", 0], "cls": ["<unk>", 0]}, "padding": {"pad_id": 0},
             "model": {{model}} }
            """;
    }
}
