using ZhSentiment.Analysis;

namespace ZhSentiment.Tests.Analysis;

public class OpinionSpansTests
{
    private static readonly Aspect[] Restaurant =
        [new("服务", ["服务员", "态度"]), new("上菜", []), new("口味", ["味道", "好吃"]), new("分量", []), new("环境", []), new("价格", ["贵"])];

    /// <summary>Each mention's opinion as text, aspect by aspect, in text order.</summary>
    private static List<(string Aspect, string Opinion)> Opinions(string text)
    {
        var mentions = Restaurant.Select(a => TextAnalyzer.FindMentions(text, a)).ToList();
        return [.. OpinionSpans.Find(text, ClauseSplitter.Split(text), mentions).Select(o => (Restaurant[o.Aspect].Name, text[o.Start..o.End]))];
    }

    [Fact]
    public void Two_aspects_in_one_clause_each_get_their_own_words()
    {
        Assert.Equal([("服务", "服务员很热情"), ("上菜", "上菜太慢了")], Opinions("服务员很热情，就是上菜太慢了"));
        Assert.Equal([("口味", "味道不错"), ("分量", "分量太少")], Opinions("味道不错分量太少"));
    }

    [Fact]
    public void A_contrast_inside_a_clause_ends_the_opinion()
    {
        // 但是 splits clauses; 就是 inside one ends the opinion before it, once the opinion has words.
        Assert.Equal([("口味", "味道还凑合"), ("分量", "分量太少")], Opinions("味道还凑合但是分量太少"));
        Assert.Equal([("口味", "味道还行")], Opinions("味道还行就是有点咸"));
        // 就是 right after the mention is emphasis, not a turn.
        Assert.Equal([("口味", "味道就是好")], Opinions("味道就是好"));
    }

    [Fact]
    public void Negation_and_degree_stay_with_the_opinion()
    {
        Assert.Equal([("口味", "味道不太新鲜"), ("价格", "一点都不贵")], Opinions("味道不太新鲜，一点都不贵"));
        Assert.Equal([("价格", "价格一点都不贵")], Opinions("价格一点都不贵"));
    }

    [Fact]
    public void A_judgement_before_the_mention_belongs_to_it()
    {
        // Nothing after the mention: the words before it are its opinion (Chinese puts the judgement first).
        Assert.Equal([("环境", "很安静的环境")], Opinions("很安静的环境"));
        Assert.Equal([("口味", "菜很好吃")], Opinions("菜很好吃"));
    }

    [Fact]
    public void Coordinated_mentions_share_the_opinion_that_follows_them()
    {
        Assert.Equal([("服务", "都很好"), ("环境", "都很好")], Opinions("服务和环境都很好").Select(o => (o.Aspect, o.Opinion[^3..])));
        Assert.Equal(["服务", "环境", "口味"], Opinions("服务、环境、味道都不错").Select(o => o.Aspect));
        Assert.All(Opinions("服务、环境、味道都不错"), o => Assert.EndsWith("都不错", o.Opinion));
    }

    [Fact]
    public void Neighbouring_mentions_of_one_aspect_are_one()
    {
        Assert.Equal([("服务", "服务员态度很好")], Opinions("服务员态度很好"));
    }

    [Fact]
    public void A_clause_without_a_mention_goes_on_about_the_last_aspect_of_its_sentence()
    {
        // Chinese drops the subject it named: 不太专业 is said of 服务, 睡得腰疼 of what the clause before named last.
        // The opinion is the clause as it is classified alone, without its contrast marker.
        Assert.Equal([("服务", "服务员态度很热情"), ("服务", "不太专业")], Opinions("服务员态度很热情，但是不太专业"));
        Assert.Equal([("口味", "味道不错"), ("价格", "价格有点贵"), ("价格", "值")], Opinions("味道不错，价格有点贵，不过值"));
        // Not across a sentence, and not before the first mention.
        Assert.Equal([("服务", "服务员很热情")], Opinions("服务员很热情。不太专业"));
        Assert.Equal([("服务", "服务员很热情")], Opinions("排了很久，服务员很热情"));
    }
}
