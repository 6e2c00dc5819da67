using System.Text;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

public class BertTokenizerLoaderTests
{
    private const string Vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n好\na\nA\né\ne\n##a\n";

    private static TempFolder Folder(params (string Name, string Content)[] files)
    {
        var folder = new TempFolder();
        foreach (var (name, content) in files) File.WriteAllText(folder.File(name), content, new UTF8Encoding(false));
        return folder;
    }

    private static ModelFormatException LoadFails(TempFolder folder) => Assert.Throws<ModelFormatException>(() => BertTokenizer.Load(folder.Path));

    /// <summary>A minimal tokenizer.json of the kind transformers saves, with parts replaceable by JSON fragments.</summary>
    private static string TokenizerJson(string? model = null, string? normalizer = null, string? preTokenizer = null, string? addedTokens = null, string? postProcessor = null) => $$"""
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": {{addedTokens ?? """[{"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}]"""}},
         "normalizer": {{normalizer ?? """{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": false}"""}},
         "pre_tokenizer": {{preTokenizer ?? """{"type": "BertPreTokenizer"}"""}},
         "post_processor": {{postProcessor ?? """{"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}"""}},
         "decoder": null,
         "model": {{model ?? """{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "好": 4, "A": 5, "a": 6, "##a": 7}}"""}}}
        """;

    [Fact]
    public void Vocab_txt_without_a_config_lowercases_as_transformers_does()
    {
        using var folder = Folder(("vocab.txt", Vocab));
        var tokenizer = BertTokenizer.Load(folder.Path);
        Assert.Equal(["a", "##a", "e", "好", "[SEP]", "a", "[UNK]"], tokenizer.Tokenize("AA É 好[SEP]\u00c5 Ω"));
        Assert.Equal((2, 3, 0, 1), (tokenizer.ClsTokenId, tokenizer.SepTokenId, tokenizer.PadTokenId, tokenizer.UnkTokenId));
    }

    [Fact]
    public void Tokenizer_config_sets_case_accents_and_special_tokens()
    {
        using var cased = Folder(("vocab.txt", Vocab), ("tokenizer_config.json", """{"do_lower_case": false, "model_max_length": 512}"""));
        Assert.Equal(["A", "##a", "é"], BertTokenizer.Load(cased.Path).Tokenize("Aa é"));

        using var ownNames = Folder(("vocab.txt", "<pad>\n<unk>\n<s>\n</s>\nx\n"),
            ("tokenizer_config.json", """{"unk_token": {"content": "<unk>", "lstrip": false}, "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>"}"""));
        var tokenizer = BertTokenizer.Load(ownNames.Path);
        Assert.Equal((2, 3, 0, 1), (tokenizer.ClsTokenId, tokenizer.SepTokenId, tokenizer.PadTokenId, tokenizer.UnkTokenId));
        Assert.Equal(["x", "</s>", "<unk>"], tokenizer.Tokenize("x</s>y"));
    }

    [Fact]
    public void Vocab_txt_lines_may_end_in_crlf()
    {
        using var folder = Folder(("vocab.txt", Vocab.Replace("\n", "\r\n")), ("tokenizer_config.json", """{"do_lower_case": false}"""));
        var tokenizer = BertTokenizer.Load(folder.Path);
        Assert.Equal(["好", "a", "##a"], tokenizer.Tokenize("好aa"));
        Assert.Equal(11, tokenizer.VocabularySize);
    }

    [Fact]
    public void Added_tokens_decoder_in_the_config_defines_the_added_tokens()
    {
        using var folder = Folder(("vocab.txt", Vocab), ("tokenizer_config.json", """
            {"do_lower_case": false, "added_tokens_decoder": {
              "3": {"content": "[SEP]", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
              "11": {"content": "<new>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": false}}}
            """));
        var tokenizer = BertTokenizer.Load(folder.Path);
        var ids = new List<int>();
        tokenizer.EncodeTo("a<new>[SEP][MASK]", ids);
        Assert.Equal([6, 11, 3, 1, 1, 1], ids); // [MASK] is not an added token here: split into "[", "MASK", "]", all unknown
        Assert.Equal(12, tokenizer.VocabularySize);
    }

    [Fact]
    public void Tokenizer_json_is_preferred_and_read_fully()
    {
        using var folder = Folder(("vocab.txt", "not used\n"), ("tokenizer.json", TokenizerJson()));
        var tokenizer = BertTokenizer.Load(folder.Path);
        Assert.Equal(["A", "##a", "好", "[SEP]", "[UNK]"], tokenizer.Tokenize("Aa好[SEP]e"));
        Assert.Equal((2, 3, 0, 1, 8), (tokenizer.ClsTokenId, tokenizer.SepTokenId, tokenizer.PadTokenId, tokenizer.UnkTokenId, tokenizer.VocabularySize));
    }

    [Fact]
    public void Tokenizer_json_without_model_type_is_read_as_wordpiece()
    {
        using var folder = Folder(("tokenizer.json", TokenizerJson(model: """{"unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 2, "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "##a": 5}}""")));
        Assert.Equal(["a", "##a", "[UNK]"], BertTokenizer.Load(folder.Path).Tokenize("aa aaa"));
    }

    [Fact]
    public void Explicit_config_flags_override_tokenizer_json()
    {
        using var folder = Folder(("tokenizer.json", TokenizerJson()), ("tokenizer_config.json", """{"do_lower_case": true}"""));
        Assert.Equal(["a", "##a"], BertTokenizer.Load(folder.Path).Tokenize("AA"));
    }

    [Fact]
    public void Template_post_processor_gives_cls_and_sep()
    {
        const string template = """
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
             "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}}
            """;
        using var folder = Folder(("tokenizer.json", TokenizerJson(postProcessor: template)));
        var tokenizer = BertTokenizer.Load(folder.Path);
        Assert.Equal((2, 3), (tokenizer.ClsTokenId, tokenizer.SepTokenId));
    }

    [Fact]
    public void Missing_or_empty_folders_name_the_folder()
    {
        var missing = Path.Combine(Path.GetTempPath(), "zhsenti-no-such-model-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(missing, Assert.Throws<ModelFormatException>(() => BertTokenizer.Load(missing)).File);
        using var empty = Folder();
        var e = LoadFails(empty);
        Assert.Equal(empty.Path, e.File);
        Assert.Contains("neither tokenizer.json nor vocab.txt", e.Message);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("[PAD]\n[CLS]\n[SEP]\n", "\"[UNK]\" is not in the vocabulary")]
    [InlineData("[PAD]\n[UNK]\n[SEP]\n", "\"[CLS]\" is not in the vocabulary")]
    public void Bad_vocab_txt_is_refused_naming_the_file(string content, string problem)
    {
        using var folder = Folder(("vocab.txt", content));
        var e = LoadFails(folder);
        Assert.Equal(folder.File("vocab.txt"), e.File);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Vocab_txt_that_is_not_utf8_is_refused()
    {
        using var folder = Folder();
        File.WriteAllBytes(folder.File("vocab.txt"), [(byte)'a', 0xFF, 0xFE, (byte)'\n']);
        var e = LoadFails(folder);
        Assert.Equal(folder.File("vocab.txt"), e.File);
        Assert.Contains("UTF-8", e.Message);
    }

    public static TheoryData<string, string> BadTokenizerJson => new()
    {
        { "{\"model\": ", "is not valid JSON" },
        { "[]", "is not a JSON object" },
        { TokenizerJson(model: """{"type": "BPE", "vocab": {}, "merges": []}"""), "model type \"BPE\" is not supported" },
        { TokenizerJson(model: """{"vocab": {"a": 0}, "merges": []}"""), "model type \"BPE\" is not supported" },
        { TokenizerJson(model: """{"type": "Unigram", "vocab": []}"""), "model type \"Unigram\" is not supported" },
        { TokenizerJson(model: """{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {}}"""), "model.vocab is empty" },
        { TokenizerJson(model: """{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {"[UNK]": -1}}"""), "the id -1" },
        { TokenizerJson(model: """{"type": "WordPiece", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0}}"""), "model.unk_token is missing" },
        { TokenizerJson(model: """{"type": "WordPiece", "unk_token": "<unk>", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0}}"""), "\"<unk>\" is not in the vocabulary" },
        { TokenizerJson(normalizer: """{"type": "Sequence", "normalizers": []}"""), "normalizer \"Sequence\" is not supported" },
        { TokenizerJson(normalizer: "null"), "normalizer (none) is not supported" },
        { TokenizerJson(normalizer: """{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null}"""), "normalizer.lowercase is missing" },
        { TokenizerJson(preTokenizer: """{"type": "ByteLevel", "add_prefix_space": false}"""), "pre_tokenizer \"ByteLevel\" is not supported" },
        { TokenizerJson(addedTokens: """[{"id": 9, "content": "<m>", "single_word": true, "lstrip": false, "rstrip": false, "normalized": false, "special": true}]"""), "single_word" },
        { TokenizerJson(postProcessor: """{"type": "ByteLevel"}"""), "post_processor \"ByteLevel\" is not supported" },
        { TokenizerJson(postProcessor: "42"), "post_processor 42 is not supported" },
        { TokenizerJson(postProcessor: """{"type": "TemplateProcessing", "single": [1, 2, 3]}"""), "template is not one special token, the text, one special token" },
        { TokenizerJson(preTokenizer: "[]"), "pre_tokenizer [] is not supported" },
        { TokenizerJson(postProcessor: """{"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 99]}"""), "post_processor.cls is 99, not the id of a token" },
    };

    [Theory]
    [MemberData(nameof(BadTokenizerJson))]
    public void Bad_or_foreign_tokenizer_json_is_refused_naming_the_file(string json, string problem)
    {
        using var folder = Folder(("tokenizer.json", json));
        var e = LoadFails(folder);
        Assert.Equal(folder.File("tokenizer.json"), e.File);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Malformed_tokenizer_config_is_refused_naming_the_file()
    {
        using var folder = Folder(("vocab.txt", Vocab), ("tokenizer_config.json", "{\"do_lower_case\": \"yes\"}"));
        var e = LoadFails(folder);
        Assert.Equal(folder.File("tokenizer_config.json"), e.File);
        Assert.Contains("do_lower_case", e.Message);
    }
}
