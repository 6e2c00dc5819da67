using System.Text;
using System.Text.Json;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

/// <summary>
/// Runs the Hugging Face oracle (tools/hf-oracle, node) live: every Unicode scalar value through the normalizer
/// and pre-tokenizer, and the real bert-base-chinese tokenizer over ../shared's dev set. Skipped cleanly when node,
/// the oracle's node_modules or ../shared is missing.
/// </summary>
public class OracleParityTests
{
    public static TheoryData<string> NormalizerFlags => ["", "--lowercase", "--strip-accents", "--lowercase --keep-accents", "--no-clean-text --no-chinese-chars"];

    [Theory]
    [MemberData(nameof(NormalizerFlags))]
    public void Every_scalar_value_normalizes_and_splits_as_the_reference(string flags)
    {
        TokenizerFixtures.RequireOracle();
        // Each scalar between two letters, so a dropped character joins them, whitespace splits, punctuation is
        // isolated, and marks combine with a neighbour; 1024 to a line.
        var texts = new List<string>();
        var line = new StringBuilder();
        for (int scalar = 0, n = 0; scalar <= 0x10FFFF; scalar++)
        {
            if (scalar is >= 0xD800 and <= 0xDFFF) continue;
            line.Append('a').Append(char.ConvertFromUtf32(scalar)).Append("b ");
            if (++n % 1024 == 0 || scalar == 0x10FFFF)
            {
                texts.Add(line.ToString());
                line.Clear();
            }
        }
        var arguments = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var expected = TokenizerFixtures.RunOracle("normalize.mjs", texts, arguments);
        Assert.Equal(texts.Count, expected.Count);

        bool lowercase = arguments.Contains("--lowercase");
        var normalizer = new BertNormalizer(
            cleanText: !arguments.Contains("--no-clean-text"),
            handleChineseChars: !arguments.Contains("--no-chinese-chars"),
            stripAccents: arguments.Contains("--strip-accents") ? true : arguments.Contains("--keep-accents") ? false : null,
            lowercase: lowercase);
        var failures = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            using var json = JsonDocument.Parse(expected[i]);
            var wantNormalized = json.RootElement.GetProperty("normalized").GetString()!;
            var wantWords = json.RootElement.GetProperty("words").EnumerateArray().Select(w => w.GetString()!).ToList();
            var normalized = normalizer.Normalize(texts[i]);
            if (normalized != wantNormalized) failures.Add($"line {i}: normalized text differs at char {FirstDifference(normalized, wantNormalized)}");
            else if (!BertPreTokenizer.Split(normalized).SequenceEqual(wantWords)) failures.Add($"line {i}: words differ");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
    }

    private static string FirstDifference(string ours, string theirs)
    {
        int i = 0;
        while (i < ours.Length && i < theirs.Length && ours[i] == theirs[i]) i++;
        string Around(string s) => TokenizerFixtures.JsonLine(s.Substring(Math.Max(0, i - 6), Math.Min(12, s.Length - Math.Max(0, i - 6))));
        return $"{i}: ours {Around(ours)}, HF {Around(theirs)}";
    }

    [Fact]
    public void Bert_base_chinese_tokenizer_json_encodes_the_dev_set_as_the_reference()
    {
        var folder = TestPaths.RequireShared("data/vocab/bert-base-chinese");
        var texts = DevTexts();
        var expected = TokenizerFixtures.RunOracle("tokenize.mjs", texts, "--tokenizer", Path.Combine(folder, "tokenizer.json"))
            .Select(TokenizerFixtures.ParseEncoding).ToList();
        TokenizerFixtures.AssertSameEncodings(BertTokenizer.Load(folder), expected, "bert-base-chinese tokenizer.json, dev.tsv");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bert_base_chinese_vocab_txt_encodes_the_dev_set_as_the_reference(bool lowercase)
    {
        var vocab = TestPaths.RequireShared("data/vocab/bert-base-chinese/vocab.txt");
        var texts = DevTexts();
        var expected = TokenizerFixtures.RunOracle("tokenize.mjs", texts, lowercase ? ["--vocab", vocab, "--lowercase"] : ["--vocab", vocab])
            .Select(TokenizerFixtures.ParseEncoding).ToList();
        using var folder = new TempFolder();
        File.Copy(vocab, folder.File("vocab.txt"));
        File.WriteAllText(folder.File("tokenizer_config.json"), $"{{\"do_lower_case\": {(lowercase ? "true" : "false")}}}");
        TokenizerFixtures.AssertSameEncodings(BertTokenizer.Load(folder.Path), expected, $"bert-base-chinese vocab.txt, lowercase {lowercase}, dev.tsv");
    }

    /// <summary>The texts of ../shared/data/sentiment/dev.tsv (label, source, text per line).</summary>
    private static List<string> DevTexts()
    {
        var path = TestPaths.RequireShared("data/sentiment/dev.tsv");
        TokenizerFixtures.RequireOracle();
        var texts = File.ReadLines(path, Encoding.UTF8).Skip(1).Select(l => l.Split('\t', 3)).Where(f => f.Length == 3).Select(f => f[2]).ToList();
        Assert.True(texts.Count > 1000, "dev.tsv should hold over a thousand texts");
        return texts;
    }
}
