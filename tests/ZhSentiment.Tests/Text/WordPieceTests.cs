using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

public class WordPieceTests
{
    private static WordPiece Model(string tokens, string prefix = "##", int maxChars = 100) =>
        new(new Vocabulary(tokens.Split(' ').Select((t, i) => new KeyValuePair<string, int>(t, i))), "[UNK]", prefix, maxChars);

    private static int[] Ids(WordPiece model, string word)
    {
        var ids = new List<int>();
        var sink = new IdSink(ids);
        model.Tokenize(word, ref sink);
        return [.. ids];
    }

    [Fact]
    public void Takes_the_longest_piece_first()
    {
        var model = Model("[UNK] un ##aff ##able una ##ffable");
        Assert.Equal([4, 5], Ids(model, "unaffable")); // una + ##ffable, not un + ##aff + ##able
        Assert.Equal([1, 2, 3], Ids(Model("[UNK] un ##aff ##able"), "unaffable"));
    }

    [Fact]
    public void A_word_with_an_unmatched_part_is_one_unknown_token()
    {
        var model = Model("[UNK] un ##aff ##able");
        Assert.Equal([0], Ids(model, "unaffablex"));
        Assert.Equal([0], Ids(model, "aff")); // a continuation piece cannot start a word
        var ids = new List<int> { 7 };
        var sink = new IdSink(ids);
        model.Tokenize("unaffx", ref sink);
        Assert.Equal([7, 0], ids); // what the word had matched is taken back, nothing else
    }

    [Fact]
    public void Counts_scalar_values_against_the_word_limit()
    {
        var model = Model("[UNK] 😀 ##😀", maxChars: 100);
        Assert.Equal(Enumerable.Repeat(2, 99).Prepend(1), Ids(model, string.Concat(Enumerable.Repeat("😀", 100))));
        Assert.Equal([0], Ids(model, string.Concat(Enumerable.Repeat("😀", 101))));
        var letters = Model("[UNK] a ##a", maxChars: 3);
        Assert.Equal([1, 2, 2], Ids(letters, "aaa"));
        Assert.Equal([0], Ids(letters, "aaaa"));
    }

    [Fact]
    public void Never_splits_a_surrogate_pair()
    {
        var model = Model("[UNK] 𠮷 ##𠮷 ##\ud842");
        Assert.Equal([1, 2], Ids(model, "𠮷𠮷"));
    }

    [Fact]
    public void Uses_the_configured_continuation_prefix()
    {
        var model = Model("[UNK] play ~~ing ##ing", prefix: "~~");
        Assert.Equal([1, 2], Ids(model, "playing"));
    }

    [Fact]
    public void Refuses_a_vocabulary_without_its_unknown_token()
    {
        var e = Assert.Throws<ModelFormatException>(() => new WordPiece(new Vocabulary([new("a", 0)]), "[UNK]", file: "vocab.txt"));
        Assert.Equal("vocab.txt", e.File);
        Assert.Contains("[UNK]", e.Message);
    }
}
