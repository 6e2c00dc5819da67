using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

public class BertNormalizerTests
{
    private static readonly BertNormalizer CleanOnly = new(cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false);
    private static readonly BertNormalizer Cased = new(cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: false);
    private static readonly BertNormalizer Uncased = new(cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true);

    [Fact]
    public void Clean_text_drops_controls_and_turns_whitespace_into_spaces()
    {
        // U+0085 is whitespace but also a control character: HF drops it before mapping whitespace.
        Assert.Equal("ab cd ef g", CleanOnly.Normalize("a\u0000b\tc\u0085d\u00a0e\u200bf\u3000g\ufeff\ufffd"));
        Assert.Equal("a  b c d", CleanOnly.Normalize("a\r\nb\u2028c\u2000d"));
        var raw = new BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false);
        Assert.Equal("a\u0000b\t\u200b", raw.Normalize("a\u0000b\t\u200b"));
    }

    [Fact]
    public void Unpaired_surrogates_read_as_replacement_characters()
    {
        Assert.Equal("ab", CleanOnly.Normalize("a\ud800b\udc00"));
        var raw = new BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false);
        Assert.Equal("a\ufffdb", raw.Normalize("a\ud800b"));
    }

    [Fact]
    public void Uses_the_references_character_classes_not_the_runtimes()
    {
        // U+0890 is a format character (dropped by .NET's classes) but unknown to the tables HF uses: kept.
        Assert.Equal("a\u0890b", CleanOnly.Normalize("a\u0890b"));
        Assert.Equal("🫠", CleanOnly.Normalize("🫠"));
    }

    [Fact]
    public void Chinese_characters_get_a_space_either_side()
    {
        Assert.Equal(" 好  评 a", Cased.Normalize("好评a"));
        Assert.Equal(" 𠮷  野 ", Cased.Normalize("𠮷野"));
        Assert.Equal(" 豈 ", Cased.Normalize("豈")); // compatibility ideographs count
        Assert.Equal("\U0002B820かな한", Cased.Normalize("\U0002B820かな한")); // not in HF's ranges
    }

    [Fact]
    public void Strip_accents_follows_lowercase_unless_set()
    {
        Assert.True(Uncased.StripAccents);
        Assert.False(Cased.StripAccents);
        Assert.Equal("cafe naive angstrom", Uncased.Normalize("Café NAÏVE Ångström"));
        Assert.Equal("Café", Cased.Normalize("Café"));
        var lowerKeepAccents = new BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: true);
        Assert.Equal("café", lowerKeepAccents.Normalize("CAFÉ"));
        var stripCased = new BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: false);
        Assert.Equal("CAFE A", stripCased.Normalize("CAFÉ \u212B")); // the angstrom sign decomposes to A + ring
        Assert.Equal("\u1112\u1161\u11ab", stripCased.Normalize("한")); // Hangul decomposes into jamo
        Assert.Equal(" 豈 ", stripCased.Normalize("\uF900")); // a compatibility ideograph decomposes to the unified one
    }

    [Fact]
    public void Nfd_orders_combining_marks_before_dropping_non_spacing_ones()
    {
        var strip = new BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: false);
        // U+1D16D (class 226) and U+1D165 (class 216) are spacing marks, so they survive and come out sorted.
        Assert.Equal("x\U0001D165\U0001D16D", strip.Normalize("x\U0001D16D\U0001D165"));
        Assert.Equal("x\U0001D16D\U0001D165", Cased.Normalize("x\U0001D16D\U0001D165"));
        Assert.Equal("a", strip.Normalize("a\u0301\u0316\u0308"));
    }

    [Fact]
    public void Lowercase_is_per_character_with_full_mappings()
    {
        var lowerKeepAccents = new BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: true);
        Assert.Equal("i\u0307stanbul", lowerKeepAccents.Normalize("İSTANBUL")); // one character lowercases to two
        Assert.Equal("istanbul", Uncased.Normalize("İSTANBUL")); // stripping first removes the dot
        Assert.Equal("οδοσ", Uncased.Normalize("ΟΔΟΣ")); // no final-sigma context
        Assert.Equal("ß ǆ ａｂ", lowerKeepAccents.Normalize("ẞ ǅ ＡＢ"));
    }
}
