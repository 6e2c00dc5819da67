namespace ZhSentiment.Analysis;

/// <summary>An aspect's mention and the opinion that belongs to it: <c>[Start, End)</c> holds the mention and its judgement.</summary>
/// <param name="Aspect">Index of the aspect in the request.</param>
/// <param name="Unit">Index of the clause the mention stands in.</param>
public readonly record struct Opinion(int Aspect, int Unit, int Start, int End);

/// <summary>
/// Cuts each clause into one opinion per aspect mention, so that two aspects of one clause are judged apart
/// (服务员很热情 | 上菜太慢了; 味道还凑合 | 分量太少): a mention's opinion runs from the mention to the next mention of another
/// aspect, a contrast word or the clause's end (negation and degree words stay with it: 菜品不太新鲜, 价格一点都不贵).
/// A mention with nothing after it takes the words before it, where Chinese puts the judgement first (很好吃的
/// 招牌菜); one followed only by a conjunction and another mention shares that mention's opinion (服务和环境都很好).
/// A clause that mentions no aspect goes on about the last one mentioned before it in its sentence, as Chinese drops the
/// subject it already named (服务员态度很热情，[但是不太专业]; 价格四千多，[有点小贵]): it is one more opinion of that aspect.
/// </summary>
public static class OpinionSpans
{
    // Inside a clause they turn to another judgement (味道还行就是有点咸): an opinion ends before them. 但/但是 already
    // split clauses (ClauseSplitter); these count only inside one, and only when something follows the mention before them.
    private static readonly string[] Turns = ["就是", "不过", "只是", "可是", "而且", "并且"];

    // What may stand between two mentions that share one opinion (服务和环境都很好, 服务、环境都不错).
    private const string Conjunctions = "和跟与及以同、,， 还有";

    /// <summary>Every mention's opinion, in text order; <paramref name="mentions"/> holds each aspect's mentions.</summary>
    public static List<Opinion> Find(string text, IReadOnlyList<Clause> units, IReadOnlyList<List<(int Start, int End)>> mentions)
    {
        var all = Resolve(mentions);
        var found = new List<(Opinion Opinion, int Mention, bool Bare)>(all.Count);
        for (int u = 0; u < units.Count; u++)
        {
            var unit = units[u];
            var inUnit = Runs(all.FindAll(m => m.Start >= unit.Start && m.Start < unit.End));
            int clauseStart = unit.Start + ClauseSplitter.ContrastMarkerLength(text, unit.Start, unit.End);
            for (int i = 0; i < inUnit.Count; i++)
            {
                var (aspect, start, end) = inUnit[i];
                end = Math.Min(end, unit.End);
                int stop = EndOfOpinion(text, end, i + 1 < inUnit.Count ? inUnit[i + 1].Start : unit.End);
                int before = Math.Min(i > 0 ? inUnit[i - 1].End : clauseStart, start);
                if (HasContent(text, end, stop)) found.Add((new Opinion(aspect, u, start, stop), start, false));
                else if (HasContent(text, before, start)) found.Add((new Opinion(aspect, u, before, end), start, false));
                else found.Add((new Opinion(aspect, u, start, end), start, true));
            }
        }
        // A bare mention followed in its sentence by conjunctions only, then another mention, takes that one's opinion;
        // from the last back, so that 服务、环境和味道都不错 passes 都不错 to all three.
        for (int i = found.Count - 2; i >= 0; i--)
        {
            var (bare, _, isBare) = found[i];
            var (next, nextMention, _) = found[i + 1];
            if (isBare && units[bare.Unit].Sentence == units[next.Unit].Sentence && bare.End <= nextMention
                && OnlyConjunctions(text, bare.End, nextMention))
                found[i] = (bare with { End = Math.Max(next.End, bare.End) }, bare.Start, false);
        }
        var opinions = found.ConvertAll(f => f.Opinion);
        opinions.AddRange(Continuations(text, units, opinions));
        opinions.Sort((a, b) => a.Start.CompareTo(b.Start));
        return opinions;
    }

    /// <summary>
    /// One opinion for each clause without a mention that follows a mention in its sentence, of the last aspect
    /// mentioned; it spans the clause as it is classified alone (without its contrast marker), so it costs no prediction.
    /// <paramref name="opinions"/> come in clause order.
    /// </summary>
    private static List<Opinion> Continuations(string text, IReadOnlyList<Clause> units, List<Opinion> opinions)
    {
        var continuations = new List<Opinion>();
        int next = 0, last = -1;
        for (int u = 0; u < units.Count; u++)
        {
            if (last >= 0 && units[opinions[last].Unit].Sentence != units[u].Sentence) last = -1;
            bool mentioned = false;
            for (; next < opinions.Count && opinions[next].Unit == u; next++) (mentioned, last) = (true, next);
            if (mentioned || last < 0) continue;
            continuations.Add(new Opinion(opinions[last].Aspect, u, ClauseSplitter.BodyStart(text, units[u]), units[u].End));
        }
        return continuations;
    }

    /// <summary>Mentions of all aspects as one list in text order; where two overlap, the longer (then the earlier) stays.</summary>
    private static List<(int Aspect, int Start, int End)> Resolve(IReadOnlyList<List<(int Start, int End)>> mentions)
    {
        var all = new List<(int Aspect, int Start, int End)>();
        for (int a = 0; a < mentions.Count; a++)
            foreach (var (start, end) in mentions[a]) all.Add((a, start, end));
        all.Sort((x, y) => (y.End - y.Start) != (x.End - x.Start) ? (y.End - y.Start).CompareTo(x.End - x.Start) : x.Start.CompareTo(y.Start));
        var kept = new List<(int Aspect, int Start, int End)>(all.Count);
        foreach (var m in all)
            if (!kept.Exists(k => k.Start < m.End && m.Start < k.End)) kept.Add(m);
        kept.Sort((x, y) => x.Start.CompareTo(y.Start));
        return kept;
    }

    /// <summary>Neighbouring mentions of one aspect as one (快递是顺丰 is one mention of 物流, 价格有点贵 one of 价格).</summary>
    private static List<(int Aspect, int Start, int End)> Runs(List<(int Aspect, int Start, int End)> mentions)
    {
        var runs = new List<(int Aspect, int Start, int End)>(mentions.Count);
        foreach (var m in mentions)
        {
            if (runs.Count > 0 && runs[^1].Aspect == m.Aspect) runs[^1] = (m.Aspect, runs[^1].Start, m.End);
            else runs.Add(m);
        }
        return runs;
    }

    /// <summary>Where the opinion after a mention ends: before the first turn word that has an opinion in front of it, else at <paramref name="next"/>.</summary>
    private static int EndOfOpinion(string text, int from, int next)
    {
        for (int i = from + 1; i < next; i++)
            foreach (var turn in Turns)
                if (i + turn.Length <= next && text.AsSpan(i, turn.Length).SequenceEqual(turn) && HasContent(text, from, i))
                    return i;
        return next;
    }

    private static bool OnlyConjunctions(string text, int from, int to)
    {
        for (int i = from; i < to; i++)
            if (!Conjunctions.Contains(text[i]) && !char.IsWhiteSpace(text[i])) return false;
        return true;
    }

    private static bool HasContent(string text, int start, int end)
    {
        for (int i = start; i < end; i++)
            if (!char.IsWhiteSpace(text[i]) && !char.IsPunctuation(text[i]) && !Conjunctions.Contains(text[i])) return true;
        return false;
    }
}
