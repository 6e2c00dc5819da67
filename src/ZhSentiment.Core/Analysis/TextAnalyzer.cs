using ZhSentiment.Inference;

namespace ZhSentiment.Analysis;

/// <summary>
/// Sentences, evidence and aspects of texts, from the engine's predictions alone, so it works for any model the
/// engine serves. It runs in two passes over the engine, each one engine call for all texts of the call: first each
/// clause alone and each aspect mention's own opinion (<see cref="OpinionSpans"/>; all short); then the whole text and, for the few spans the clauses' own verdicts rank strongest, the text
/// without that span, whose change in P(Positive) is the span's weight. Each pass's texts are of like length, so the
/// batches carry little padding.
/// </summary>
/// <remarks>
/// Cost per text: 1 + n + o + e predictions for n clauses (n ≤ <see cref="MaxClauses"/>; longer texts have neighbouring
/// clauses merged into that many; a one-clause text is its own clause), o distinct opinions of aspect mentions that are
/// not a whole clause (o ≤ <see cref="MaxOpinions"/>) and e ≤ <see cref="MaxEvidence"/> evidence spans. Only the whole text and its e removals are as long as the text, so an analysis costs about 1 + 1 + e passes over the text: on
/// a BERT model that is what bounds it, where removing every clause cost one full pass per clause.
/// </remarks>
public static class TextAnalyzer
{
    /// <summary>Clauses classified on their own; beyond it, neighbouring clauses are merged.</summary>
    public const int MaxClauses = 32;

    /// <summary>Evidence spans answered per text, each verified by one prediction of the text without it.</summary>
    public const int MaxEvidence = 2;

    /// <summary>
    /// Weight of the clauses after a contrast marker in the overall verdict: the mean of their probabilities is mixed
    /// with the whole text's at this weight. A contrast puts the writer's verdict after the turn (价格有点贵，但是质量真的很好).
    /// </summary>
    public const float ContrastWeight = 0.6f;

    /// <summary>
    /// How sure a sentence's verdict must be for the text to count as mixed: one sentence Positive and another Negative,
    /// each with at least this probability (its side's summed probability, as <c>/v1/sentiment</c> scores it).
    /// </summary>
    public const float MixedThreshold = 0.7f;

    /// <summary>
    /// Opinions of aspect mentions classified per text; a mention beyond them is judged by its clause's verdict. Long
    /// reviews with many aspects have some 10 to 20.
    /// </summary>
    public const int MaxOpinions = 32;

    /// <summary>Most predictions one text can cost.</summary>
    public const int MaxPredictionsPerText = 1 + MaxClauses + MaxOpinions + MaxEvidence;

    // Degree and negation words, and 也/还/都: an opinion starts at the first of them (物流[太慢], 包装[还压坏了]).
    private static readonly string[] OpinionStarts =
        ["有点", "有些", "比较", "相当", "十分", "非常", "特别", "太", "很", "真", "挺", "超", "极", "不", "没", "蛮", "最", "巨", "好", "也", "还", "都", "略", "偏", "够"];

    /// <summary>Analyses texts in two engine calls; results come in input order.</summary>
    /// <param name="evidence">False skips the removal predictions (1 + n per text instead of 1 + n + e) and answers no evidence.</param>
    /// <exception cref="ArgumentException">A text is empty or whitespace only.</exception>
    /// <exception cref="EngineOverloadedException">The queue cannot take the predictions.</exception>
    public static async Task<TextAnalysis[]> AnalyzeAsync(SentimentEngine engine, IReadOnlyList<string> texts, IReadOnlyList<Aspect> aspects,
        bool evidence = true, CancellationToken cancellationToken = default)
    {
        var clauses = new List<string>(texts.Count * 8);
        var plans = new Plan[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
                throw new ArgumentException(texts.Count == 1 ? "The text is empty." : $"Text {i} is empty.", nameof(texts));
            plans[i] = Plan.Make(texts[i], aspects, clauses);
        }
        var first = await engine.PredictAsync(clauses, cancellationToken).ConfigureAwait(false);
        // The second pass: each whole text with its removals, all about as long as the text, so they batch together.
        var full = new List<string>(texts.Count * (1 + MaxEvidence));
        foreach (var plan in plans) plan.AddFullLength(first, engine.Labels, evidence, full);
        SentimentResult[] results = [.. first, .. await engine.PredictAsync(full, cancellationToken).ConfigureAwait(false)];
        var analyses = new TextAnalysis[plans.Length];
        for (int i = 0; i < plans.Length; i++) analyses[i] = plans[i].Finish(results, engine.Labels, aspects);
        return analyses;
    }

    /// <summary>Where the aspect's name or terms occur (ignoring case), longest term first, without overlaps.</summary>
    public static List<(int Start, int End)> FindMentions(string text, Aspect aspect)
    {
        var found = new List<(int Start, int End)>();
        foreach (var needle in aspect.Needles)
        {
            for (int at = text.IndexOf(needle, StringComparison.OrdinalIgnoreCase); at >= 0;
                 at = text.IndexOf(needle, at + needle.Length, StringComparison.OrdinalIgnoreCase))
            {
                int end = at + needle.Length;
                if (!found.Exists(m => m.Start < end && at < m.End)) found.Add((at, end));
            }
        }
        found.Sort();
        return found;
    }

    /// <summary>The predictions one text needs, as indices into the call's results (-1: nothing is left once the span is removed).</summary>
    private sealed class Plan
    {
        private string _text = "";
        private int _whole;
        private List<Clause> _units = [];
        private int[] _alone = [];
        private readonly List<(int Start, int End, int Without)> _evidence = [];
        private List<(int Start, int End)>[] _mentions = [];
        private List<Opinion> _opinions = [];
        private int[] _opinionAt = [];
        private int _predictions;

        /// <summary>The first pass: each clause alone (a one-clause text is its own clause, read whole).</summary>
        public static Plan Make(string text, IReadOnlyList<Aspect> aspects, List<string> probes)
        {
            int first = probes.Count;
            var plan = new Plan { _text = text, _whole = -1, _units = Merge(ClauseSplitter.Split(text)) };
            var units = plan._units;
            plan._alone = new int[units.Count];
            for (int u = 0; u < units.Count; u++) plan._alone[u] = Add(probes, units.Count == 1 ? text : ClauseText(text, units[u]));
            if (units.Count == 1) plan._whole = plan._alone[0];
            plan._mentions = new List<(int Start, int End)>[aspects.Count];
            for (int a = 0; a < aspects.Count; a++) plan._mentions[a] = FindMentions(text, aspects[a]);
            plan.AddOpinions(probes);
            plan._predictions = probes.Count - first;
            return plan;
        }

        /// <summary>
        /// Each mention's opinion, classified alone: one prediction per distinct span, none where the span is its
        /// clause as classified already, and none beyond <see cref="MaxOpinions"/> (those take their clause's).
        /// </summary>
        private void AddOpinions(List<string> probes)
        {
            _opinions = OpinionSpans.Find(_text, _units, _mentions);
            _opinionAt = new int[_opinions.Count];
            var asked = new Dictionary<string, int>();
            for (int o = 0; o < _opinions.Count; o++)
            {
                var opinion = _opinions[o];
                var span = _text[opinion.Start..opinion.End];
                string clause = _units.Count == 1 ? _text : ClauseText(_text, _units[opinion.Unit]);
                if (span == clause || (!asked.ContainsKey(span) && asked.Count == MaxOpinions)) _opinionAt[o] = _alone[opinion.Unit];
                else if (asked.TryGetValue(span, out int at)) _opinionAt[o] = at;
                else _opinionAt[o] = asked[span] = Add(probes, span);
            }
        }

        /// <summary>
        /// The second pass: the whole text (unless it was its own clause) and, with <paramref name="evidence"/>, the
        /// text without each of the <see cref="MaxEvidence"/> strongest spans. Each clause offers one span, its opinion
        /// where it has one (物流[太慢]) or else the whole clause, ranked by how far the clause alone leans from an even
        /// split. Indices count on from the first pass's results.
        /// </summary>
        public void AddFullLength(SentimentResult[] firstPass, LabelSet labels, bool evidence, List<string> probes)
        {
            int Next(string text)
            {
                _predictions++;
                return firstPass.Length + Add(probes, text);
            }
            if (_whole < 0) _whole = Next(_text);
            if (!evidence) return;
            var candidates = new List<(int Start, int End, float Strength)>(_units.Count);
            for (int u = 0; u < _units.Count; u++)
            {
                var (start, end) = OpinionSpan(_text, _units[u], _mentions) ?? (_units[u].Start, _units[u].End);
                candidates.Add((start, end, Lean(labels, firstPass[_alone[u]].Probabilities)));
            }
            // Strongest first; among equals, the later clause (reviews end on their verdict).
            candidates.Sort((a, b) => b.Strength != a.Strength ? b.Strength.CompareTo(a.Strength) : b.Start.CompareTo(a.Start));
            foreach (var (start, end, _) in candidates.Take(MaxEvidence))
                _evidence.Add((start, end, Removable(_text, start, end) is { } rest ? Next(rest) : -1));
        }

        public TextAnalysis Finish(SentimentResult[] results, LabelSet labels, IReadOnlyList<Aspect> aspects)
        {
            var whole = results[_whole];
            var sentences = new SentenceVerdict[_units.Count];
            for (int u = 0; u < _units.Count; u++)
                sentences[u] = new SentenceVerdict(_units[u].Start, _units[u].End, new Verdict(labels, results[_alone[u]].Probabilities));

            var (verdict, contrast) = Overall(labels, whole, sentences);
            // Nothing left once the span is removed: every class equally likely.
            float empty = Toward(labels, whole, Uniform(labels));
            float Weight(int without) => Toward(labels, whole, whole.Probabilities) - (without < 0 ? empty : Toward(labels, whole, results[without].Probabilities));

            var evidence = new List<EvidenceSpan>(_evidence.Count);
            foreach (var (start, end, without) in _evidence) evidence.Add(new EvidenceSpan(start, end, Weight(without)));
            evidence.RemoveAll(e => e.Weight == 0);
            evidence.Sort((a, b) => Math.Abs(b.Weight).CompareTo(Math.Abs(a.Weight)));

            var verdicts = new AspectVerdict[aspects.Count];
            for (int a = 0; a < aspects.Count; a++) verdicts[a] = AspectOf(labels, a, aspects[a].Name, results);
            return new TextAnalysis(_text, whole, verdict, contrast, sentences, evidence, verdicts, _predictions, Mixed(sentences));
        }

        /// <summary>One sentence clearly Positive and another clearly Negative (<see cref="MixedThreshold"/>).</summary>
        private static bool Mixed(SentenceVerdict[] sentences) =>
            sentences.Any(s => Clearly(s.Verdict, LabelSet.Positive)) && sentences.Any(s => Clearly(s.Verdict, LabelSet.Negative));

        /// <summary>
        /// The whole text's verdict, mixed with the mean of the clauses after the last contrast marker of each
        /// sentence that has one (<see cref="ContrastWeight"/>); without a contrast, exactly the whole text's.
        /// </summary>
        private (Verdict Verdict, bool Contrast) Overall(LabelSet labels, SentimentResult whole, SentenceVerdict[] sentences)
        {
            var focus = new List<int>();
            for (int u = 0; u < _units.Count; u++)
            {
                if (!_units[u].Contrast) continue;
                // A later turn in the same sentence replaces this one.
                focus.RemoveAll(f => _units[f].Sentence == _units[u].Sentence);
                for (int v = u; v < _units.Count && _units[v].Sentence == _units[u].Sentence; v++) focus.Add(v);
            }
            if (focus.Count == 0 || focus.Count == _units.Count) return (new Verdict(labels, whole.Probabilities), false);

            var mixed = new float[whole.Probabilities.Count];
            for (int c = 0; c < mixed.Length; c++)
            {
                float mean = 0;
                foreach (var f in focus) mean += sentences[f].Verdict.Probabilities[c];
                mixed[c] = (1 - ContrastWeight) * whole.Probabilities[c] + ContrastWeight * mean / focus.Count;
            }
            return (new Verdict(labels, mixed), true);
        }

        /// <summary>
        /// The verdict of the aspect's strongest, latest opinion, weighed as <see cref="WindowCombiner"/> weighs a long
        /// text's windows (<see cref="WindowCombiner.Sharpness"/> · strength (<see cref="Opinionated"/>) +
        /// <see cref="WindowCombiner.Recency"/> · position among the aspect's opinions), so a clear judgement beats a
        /// description and a later one an earlier one of like strength; a lukewarm opinion (<see cref="Lukewarm"/>) is
        /// Neutral. An aspect judged both ways, one opinion clearly Positive and another clearly Negative
        /// (<see cref="MixedThreshold"/>, as for a mixed text), is Neutral on a model with a Neutral class: the
        /// "conflict" of aspect-based sentiment annotation (房间挺大的 … 但是床垫太软了). Its span is the chosen opinion's;
        /// in conflict, the strongest praise's and the strongest blame's, in text order.
        /// </summary>
        private AspectVerdict AspectOf(LabelSet labels, int aspect, string name, SentimentResult[] results)
        {
            var mine = Enumerable.Range(0, _opinions.Count).Where(o => _opinions[o].Aspect == aspect).ToList();
            if (mine.Count == 0) return new AspectVerdict(name, null, []);
            Verdict? best = null;
            (int Start, int End) span = default;
            double bestWeight = double.NegativeInfinity;
            (int Start, int End)? praise = null, blame = null;
            float praiseScore = 0, blameScore = 0;
            for (int i = 0; i < mine.Count; i++)
            {
                var opinion = _opinions[mine[i]];
                var probabilities = results[_opinionAt[mine[i]]].Probabilities;
                var verdict = new Verdict(labels, Lukewarm.Ends(_text, opinion.Start, opinion.End) ? NeutralVerdict.Apply(labels, probabilities) : probabilities);
                if (Clearly(verdict, LabelSet.Positive) && verdict.Score >= praiseScore) (praise, praiseScore) = ((opinion.Start, opinion.End), verdict.Score);
                if (Clearly(verdict, LabelSet.Negative) && verdict.Score >= blameScore) (blame, blameScore) = ((opinion.Start, opinion.End), verdict.Score);
                double position = mine.Count == 1 ? 0 : (double)i / (mine.Count - 1);
                double weight = WindowCombiner.Sharpness * Opinionated(labels, probabilities) + WindowCombiner.Recency * position;
                if (weight < bestWeight) continue;
                (best, span, bestWeight) = (verdict, (opinion.Start, opinion.End), weight);
            }
            if (labels.HasNeutral && praise is { } praised && blame is { } blamed)
                return new AspectVerdict(name, new Verdict(labels, NeutralVerdict.Apply(labels, best!.Probabilities)), praised.Start < blamed.Start ? [praised, blamed] : [blamed, praised]);
            return new AspectVerdict(name, best, [span]);
        }
    }

    /// <summary>Whether a verdict is <paramref name="side"/> with at least <see cref="MixedThreshold"/>: what makes a text mixed and an aspect conflicting.</summary>
    private static bool Clearly(Verdict verdict, string side) => verdict.Label == side && verdict.Score >= MixedThreshold;

    /// <summary>
    /// How strongly a span judges, as the model reads it: its larger polar side's mass, so that a confident Neutral
    /// (人均五十多, 价格一千五: facts) is weak and a lukewarm opinion keeps the strength the model gave it before
    /// <see cref="Lukewarm"/> made it Neutral; for a label set without meaning, its top class above a uniform guess.
    /// </summary>
    private static float Opinionated(LabelSet labels, IReadOnlyList<float> probabilities)
    {
        var p = probabilities as float[] ?? [.. probabilities];
        if (!labels.IsCanonical) return p[labels.SentimentHead.Top(p)] - 1f / labels.SentimentHead.Count;
        var (positive, negative, _) = labels.SideSums(p);
        return Math.Max(positive, negative);
    }

    /// <summary>
    /// Towards Positive: the positive side's mass, as <c>/v1/sentiment</c> sums it; for a label set without meaning,
    /// towards the whole text's own top label.
    /// </summary>
    private static float Toward(LabelSet labels, SentimentResult whole, IReadOnlyList<float> probabilities) =>
        labels.IsCanonical ? labels.SideSums(probabilities as float[] ?? [.. probabilities]).Positive : probabilities[whole.LabelIndex];

    /// <summary>
    /// How far a verdict leans from an even split: P(Positive) away from the uniform guess's, or for a label set
    /// without meaning, its top class's probability above a uniform guess. What ranks the spans worth weighing.
    /// </summary>
    private static float Lean(LabelSet labels, IReadOnlyList<float> probabilities)
    {
        var p = probabilities as float[] ?? [.. probabilities];
        var head = labels.SentimentHead;
        if (labels.IsCanonical) return Math.Abs(labels.SideSums(p).Positive - labels.SideSums(Uniform(labels)).Positive);
        return p[head.Top(p)] - 1f / head.Count;
    }

    /// <summary>Every class of the sentiment head equally likely: what is left of a text with nothing in it.</summary>
    private static float[] Uniform(LabelSet labels)
    {
        var uniform = new float[labels.Count];
        var head = labels.SentimentHead;
        for (int c = head.Offset; c < head.End; c++) uniform[c] = 1f / head.Count;
        return uniform;
    }

    private static int Add(List<string> probes, string text)
    {
        probes.Add(text);
        return probes.Count - 1;
    }

    /// <summary>The text without <c>[start, end)</c>; null when nothing but punctuation and white space is left.</summary>
    private static string? Removable(string text, int start, int end)
    {
        var rest = string.Concat(text.AsSpan(0, start), text.AsSpan(end));
        foreach (var c in rest)
            if (!char.IsWhiteSpace(c) && !char.IsPunctuation(c)) return rest;
        return null;
    }

    /// <summary>The clause as it is classified alone: its own words (<see cref="ClauseSplitter.BodyStart"/>).</summary>
    private static string ClauseText(string text, Clause clause) => text[ClauseSplitter.BodyStart(text, clause)..clause.End];

    /// <summary>At most <see cref="MaxClauses"/> units: neighbouring clauses merged evenly when there are more.</summary>
    private static List<Clause> Merge(List<Clause> clauses)
    {
        if (clauses.Count <= MaxClauses) return clauses;
        var merged = new List<Clause>(MaxClauses);
        for (int g = 0; g < MaxClauses; g++)
        {
            int from = g * clauses.Count / MaxClauses, to = (g + 1) * clauses.Count / MaxClauses - 1;
            merged.Add(new Clause(clauses[from].Start, clauses[to].End, clauses[to].Sentence, clauses[from].Contrast));
        }
        return merged;
    }

    /// <summary>
    /// The clause's opinion: what follows its first aspect mention, from the first degree or negation word on if there
    /// is one (物流[太慢]); what precedes a mention that ends the clause (很清晰的[屏幕] → 很清晰的); else from the first
    /// degree or negation word (这家店的服务态度[真是太好了]). Null when that would be the whole clause.
    /// </summary>
    private static (int Start, int End)? OpinionSpan(string text, Clause unit, List<(int Start, int End)>[] mentions)
    {
        (int Start, int End)? mention = null;
        foreach (var list in mentions)
            foreach (var m in list)
                if (m.Start >= unit.Start && m.Start < unit.End && (mention is null || m.Start < mention.Value.Start))
                    mention = (m.Start, Math.Min(m.End, unit.End));

        if (mention is { } only && only.End == unit.End)
            return only.Start > unit.Start ? (unit.Start, only.Start) : null;
        int from = mention?.End ?? unit.Start;
        int start = from;
        for (int i = from; i < unit.End; i++)
            if (StartsOpinion(text, i, unit.End)) { start = i; break; }
        return start > unit.Start && start < unit.End ? (start, unit.End) : null;
    }

    private static bool StartsOpinion(string text, int at, int end)
    {
        foreach (var word in OpinionStarts)
            if (at + word.Length <= end && text.AsSpan(at, word.Length).SequenceEqual(word)) return true;
        return false;
    }
}
