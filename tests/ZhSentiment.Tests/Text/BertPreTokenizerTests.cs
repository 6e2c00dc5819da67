using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

public class BertPreTokenizerTests
{
    [Fact]
    public void Splits_at_whitespace_and_isolates_punctuation()
    {
        Assert.Equal(["Hello", ",", "world", "!"], BertPreTokenizer.Split("Hello, world!"));
        Assert.Equal(["^", "_", "^"], BertPreTokenizer.Split("^_^"));
        Assert.Equal(["a", "b", "c"], BertPreTokenizer.Split("\t a\u3000b\nc  "));
        Assert.Empty(BertPreTokenizer.Split("   "));
        Assert.Empty(BertPreTokenizer.Split(""));
    }

    [Fact]
    public void All_ascii_symbols_are_punctuation_but_other_symbols_are_not()
    {
        Assert.Equal(["$", "9", ".", "99"], BertPreTokenizer.Split("$9.99"));
        Assert.Equal(["￥199"], BertPreTokenizer.Split("￥199")); // a currency sign outside ASCII
        Assert.Equal(["★★", "，", "😀😂"], BertPreTokenizer.Split("★★，😀😂"));
        Assert.Equal(["a", "\u2e3a", "b"], BertPreTokenizer.Split("a\u2e3ab")); // a dash
        Assert.Equal(["a\u2e43b"], BertPreTokenizer.Split("a\u2e43b")); // punctuation newer than HF's tables
    }

    [Fact]
    public void Handles_characters_outside_the_basic_plane()
    {
        Assert.Equal(["a", "\U00010100", "b"], BertPreTokenizer.Split("a\U00010100b"));
        Assert.Equal(["𠮷野家"], BertPreTokenizer.Split("𠮷野家"));
    }
}
