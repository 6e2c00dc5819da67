using System.Text;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

/// <summary>
/// Runs the Hugging Face oracle (tools/hf-oracle, node) live on the XLM-R-shaped Unigram tokenizers: every Unicode
/// scalar value through the precompiled nmt_nfkc charsmap, Metaspace and the Unigram model, and ../shared's dev set.
/// Skipped cleanly when node, the oracle's node_modules or ../shared is missing.
/// </summary>
public class SentencePieceOracleParityTests
{
    public static TheoryData<string> Configurations => ["xlm-roberta", "xlm-roberta-strip"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Every_scalar_value_encodes_as_the_reference(string configuration)
    {
        TokenizerFixtures.RequireOracle();
        // Each scalar after a letter and before a combining mark, a space or a doubled space, so that graphemes form
        // across it, whitespace rules apply and unknown characters fuse; 512 to a line.
        string[] after = ["b ", "\u0301c ", "d  "];
        var texts = new List<string>();
        var line = new StringBuilder();
        for (int scalar = 0, n = 0; scalar <= 0x10FFFF; scalar++)
        {
            if (scalar is >= 0xD800 and <= 0xDFFF) continue;
            line.Append('a').Append(char.ConvertFromUtf32(scalar)).Append(after[scalar % after.Length]);
            if (++n % 512 == 0 || scalar == 0x10FFFF)
            {
                texts.Add(line.ToString());
                line.Clear();
            }
        }
        string tokenizerJson = Path.Combine(TokenizerFixtures.Root, configuration, "tokenizer.json");
        var expected = TokenizerFixtures.RunOracle("tokenize.mjs", texts, "--tokenizer", tokenizerJson).Select(TokenizerFixtures.ParseEncoding).ToList();
        Assert.Equal(texts.Count, expected.Count);
        using var folder = TokenizerFixtures.ModelFolder(configuration);
        TokenizerFixtures.AssertSameEncodings(TokenizerLoader.Load(folder.Path), expected, $"{configuration}, every scalar value");
    }

    [Fact]
    public void The_dev_set_encodes_as_the_reference()
    {
        var path = TestPaths.RequireShared("data/sentiment/dev.tsv");
        TokenizerFixtures.RequireOracle();
        var texts = File.ReadLines(path, Encoding.UTF8).Skip(1).Select(l => l.Split('\t', 3)).Where(f => f.Length == 3).Select(f => f[2]).ToList();
        string tokenizerJson = Path.Combine(TokenizerFixtures.Root, "xlm-roberta", "tokenizer.json");
        var expected = TokenizerFixtures.RunOracle("tokenize.mjs", texts, "--tokenizer", tokenizerJson).Select(TokenizerFixtures.ParseEncoding).ToList();
        using var folder = TokenizerFixtures.ModelFolder("xlm-roberta");
        TokenizerFixtures.AssertSameEncodings(TokenizerLoader.Load(folder.Path), expected, "xlm-roberta, dev.tsv");
    }
}
