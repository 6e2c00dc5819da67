using ZhSentiment.Compact;

namespace ZhSentiment.Tests.Training;

public class NgramFeaturizerTests
{
    private static List<int> Encode(string text, int minN = 1, int maxN = 3, int buckets = 1 << 18)
    {
        var ids = new List<int>();
        new NgramFeaturizer(minN, maxN, buckets).Encode(text, ids);
        return ids;
    }

    [Fact]
    public void Emits_every_n_gram_in_text_order()
    {
        Assert.Empty(Encode(""));
        Assert.Single(Encode("好"));
        // 很 很好 很好吃 | 好 好吃 | 吃
        Assert.Equal(6, Encode("很好吃").Count);
        Assert.Equal(3, Encode("很好吃", minN: 2).Count);
        var ids = Encode("很好吃");
        Assert.Equal(Encode("很")[0], ids[0]);
        Assert.Equal(Encode("吃")[0], ids[^1]);
    }

    [Fact]
    public void Hash_is_stable_across_runs_and_machines()
    {
        // The shipped model's rows are addressed by these values: changing the hash silently breaks every trained model.
        Assert.Equal([204620, 215244], Encode("好", maxN: 2).Concat(Encode("不好", minN: 2, maxN: 2)));
    }

    [Fact]
    public void Folds_width_case_and_white_space()
    {
        Assert.Equal(Encode("good! 好"), Encode("ＧＯＯＤ！\u3000好"));
        Assert.Equal(Encode("a b"), Encode("  a \t\n  b  "));
        Assert.Equal(Encode("ab"), Encode("a\u200Bb"));
    }

    [Fact]
    public void An_emoji_is_one_unit_and_ids_stay_in_range()
    {
        Assert.Single(Encode("😊"));
        Assert.Equal(3, Encode("好😊").Count);
        Assert.All(Encode("这家店的服务态度真是太好了😊 Very good!", buckets: 97), id => Assert.InRange(id, 0, 96));
    }

    [Fact]
    public void A_lone_space_is_no_feature()
    {
        Assert.Equal(Encode("ab").Count + 2, Encode("a b").Count); // a, ab, b → a, "a ", "a b", " b", b
    }
}
