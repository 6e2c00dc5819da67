namespace ZhSentiment.Inference;

/// <summary>
/// A model's own labels (in logit order), what each one means, and the one rule every surface answers by: the binary
/// verdict (<see cref="Binary"/>: <c>/predict</c>, <c>/predict_batch</c>, <c>predict</c>), the three-way verdict
/// (<see cref="ThreeWay"/>: <c>/v1/sentiment</c>, <c>score</c>, the page, <c>eval</c>) and the emotions
/// (<see cref="Emotions"/>: <c>/v1/emotion</c>, <c>predict --emotion</c>, <c>score --emotion</c>).
/// </summary>
/// <remarks>
/// Labels map by meaning (<see cref="LabelMeaning"/>). A head whose labels all name sentiments, with both polar sides,
/// is a sentiment head; one whose labels all name distinct emotions is an emotion head, and it answers sentiment too,
/// each emotion counting for its side (<see cref="LabelMeaning.SideOf"/>). Two-class heads with no meaning
/// (<c>LABEL_0/LABEL_1</c>, <c>0/1</c>) follow the convention of the Chinese sentiment corpora and of
/// <c>transformers</c>' defaults: index 0 is Negative, index 1 Positive. Any other head is served under its own names.
/// </remarks>
public sealed class LabelSet
{
    public const string Positive = "Positive", Negative = "Negative", Neutral = "Neutral";

    private readonly string?[] _sides;

    private LabelSet(string[] modelLabels, string[] names, string?[] sides, LabelHead[] heads, string mapping, string source)
    {
        ModelLabels = modelLabels;
        Names = names;
        _sides = sides;
        Heads = heads;
        Mapping = mapping;
        Source = source;
        SentimentHead = heads.FirstOrDefault(h => h.Task == LabelTask.Sentiment)
            ?? heads.FirstOrDefault(h => h.Task == LabelTask.Emotion)
            ?? heads[0];
        EmotionHead = heads.FirstOrDefault(h => h.Task == LabelTask.Emotion);
    }

    /// <summary>The model's own labels in logit order (e.g. 负面, 正面), every head's.</summary>
    public IReadOnlyList<string> ModelLabels { get; }

    /// <summary>
    /// Each class's canonical name in logit order: Positive/Negative/Neutral in a sentiment head (several classes may
    /// share one, as star ratings do), the emotion in an emotion head, the model's own label in a head that does not map.
    /// </summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The model's heads in logit order; one for published checkpoints.</summary>
    public IReadOnlyList<LabelHead> Heads { get; }

    /// <summary>The head that answers sentiment: the sentiment head, else the emotion head (by sides), else the only head.</summary>
    public LabelHead SentimentHead { get; }

    /// <summary>The head that answers emotions; null when the model has none.</summary>
    public LabelHead? EmotionHead { get; }

    /// <summary>Whether sentiment answers are canonical (Positive/Negative/Neutral) rather than the model's own labels.</summary>
    public bool IsCanonical => SentimentHead.Task != LabelTask.Unmapped;

    /// <summary>Whether the sentiment head has classes that count as Neutral.</summary>
    public bool HasNeutral => IsCanonical && Enumerable.Range(SentimentHead.Offset, SentimentHead.Count).Any(i => _sides[i] == Neutral);

    /// <summary>What the model answers: <c>sentiment</c> (with canonical labels), <c>emotion</c>.</summary>
    public IReadOnlyList<string> Tasks
    {
        get
        {
            var tasks = new List<string>(2);
            if (IsCanonical) tasks.Add("sentiment");
            if (EmotionHead is not null) tasks.Add("emotion");
            return tasks;
        }
    }

    /// <summary>How the labels were mapped, in one sentence (for <c>/info</c> and the start-up log).</summary>
    public string Mapping { get; }

    /// <summary>Where the labels were read from (e.g. <c>configuration.json model.label2id</c>).</summary>
    public string Source { get; }

    public int Count => ModelLabels.Count;

    /// <summary>The sentiment side class <paramref name="index"/> counts for (Positive, Negative, Neutral), or null where its head does not map.</summary>
    public string? SideOf(int index) => _sides[index];

    /// <summary>A model with one head.</summary>
    /// <param name="modelLabels">The labels in logit order.</param>
    /// <param name="source">Where they were read from, for <see cref="Source"/>.</param>
    /// <param name="multiLabel">The model's <c>problem_type</c> is <c>multi_label_classification</c>: sigmoid scores (so is a single output).</param>
    public static LabelSet FromModelLabels(IReadOnlyList<string> modelLabels, string source = "the model", bool multiLabel = false) =>
        FromHeads([modelLabels], source, multiLabel);

    /// <summary>A model whose logits are several heads one after the other, each scored as <paramref name="multiLabel"/> says.</summary>
    public static LabelSet FromHeads(IReadOnlyList<IReadOnlyList<string>> headLabels, string source = "the model", bool multiLabel = false)
    {
        if (headLabels.Count == 0 || headLabels.Any(h => h.Count < 1)) throw new ArgumentException("A classifier needs at least one label per head.", nameof(headLabels));
        var labels = new List<string>();
        var names = new List<string>();
        var sides = new List<string?>();
        var heads = new LabelHead[headLabels.Count];
        var mappings = new string[headLabels.Count];
        for (int h = 0; h < heads.Length; h++)
        {
            var own = headLabels[h].ToArray();
            bool sigmoid = multiLabel || own.Length == 1;
            var (task, headNames, headSides, mapping) = Map(own);
            heads[h] = new LabelHead(labels.Count, own.Length, task, sigmoid);
            mappings[h] = mapping + (sigmoid ? "; scores are sigmoids" : "");
            labels.AddRange(own);
            names.AddRange(headNames);
            sides.AddRange(headSides);
        }
        return new LabelSet([.. labels], [.. names], [.. sides], heads, string.Join("; and ", mappings), source);
    }

    private static (LabelTask, string[], string?[], string) Map(string[] labels)
    {
        string Pairs(string[] to) => string.Join(", ", labels.Select((l, i) => $"{l} → {to[i]}"));

        var sentiments = labels.Select(LabelMeaning.Sentiment).ToArray();
        // A single output is the probability of its own label: Positive (or Negative) above one half, the other side below.
        bool polar = labels.Length == 1
            ? sentiments[0] is Positive or Negative
            : sentiments.Contains(Positive) && sentiments.Contains(Negative);
        if (polar && sentiments.All(s => s is not null))
            return (LabelTask.Sentiment, sentiments.Select(n => n!).ToArray(), sentiments, $"by meaning: {Pairs(sentiments!)}");

        var emotions = labels.Select(LabelMeaning.Emotion).ToArray();
        if (labels.Length >= 2 && emotions.All(e => e is not null) && emotions.Distinct().Count() == labels.Length
            && emotions.Any(e => e != LabelMeaning.NoEmotion))
        {
            var emotionSides = emotions.Select(e => (string?)LabelMeaning.SideOf(e!)).ToArray();
            string bySide = string.Join(", ", new[] { Positive, Negative, Neutral }.Select(side =>
                $"{side} sums {string.Join("+", emotions.Where((_, i) => emotionSides[i] == side).DefaultIfEmpty("nothing"))}"));
            return (LabelTask.Emotion, emotions.Select(n => n!).ToArray(), emotionSides, $"emotions by meaning: {Pairs(emotions!)} (sentiment: {bySide})");
        }

        if (labels.Length == 2 && LabelMeaning.IsPlaceholder(labels[0], 0) && LabelMeaning.IsPlaceholder(labels[1], 1))
            return (LabelTask.Sentiment, [Negative, Positive], [Negative, Positive],
                $"by convention: the labels ({labels[0]}, {labels[1]}) carry no meaning, so index 0 is Negative and 1 Positive");

        return (LabelTask.Unmapped, labels, new string?[labels.Length],
            $"none: the labels ({string.Join(", ", labels)}) have no sentiment or emotion meaning, so answers use the model's own names");
    }

    /// <summary>
    /// The probability mass of each sentiment side in the sentiment head: the sums of its classes' probabilities (for
    /// sigmoid heads, shares of the sum of every class's score, so that the three add up to one).
    /// </summary>
    public (float Positive, float Negative, float Neutral) SideSums(ReadOnlySpan<float> probabilities)
    {
        var head = SentimentHead;
        float positive = 0, negative = 0, neutral = 0;
        for (int i = head.Offset; i < head.End; i++)
        {
            switch (_sides[i])
            {
                case Positive: positive += probabilities[i]; break;
                case Negative: negative += probabilities[i]; break;
                case Neutral: neutral += probabilities[i]; break;
            }
        }
        if (head.Sigmoid && head.Count > 1 && positive + negative + neutral is > 0 and var total)
            return (positive / total, negative / total, neutral / total);
        return (positive, negative, neutral);
    }

    /// <summary>
    /// The binary verdict: the polar side (Positive or Negative) whose classes' probabilities sum higher, the top class's
    /// side deciding an exact tie; its score is that side's share of the two sides (a two-class model's is its class
    /// probability; Neutral classes count for neither side). A single sigmoid output is its own label above one half
    /// and the other side below. For a head that does not map, the top class under its own name.
    /// </summary>
    public SentimentVerdict Binary(ReadOnlySpan<float> probabilities)
    {
        var head = SentimentHead;
        int top = head.Top(probabilities);
        if (!IsCanonical) return new(Names[top], probabilities[top]);
        if (head.Count == 1)
        {
            float p = probabilities[head.Offset];
            string other = Names[head.Offset] == Positive ? Negative : Positive;
            return p >= 0.5f ? new(Names[head.Offset], p) : new(other, 1 - p);
        }
        var (positive, negative, _) = SideSums(probabilities);
        bool isPositive = positive > negative || (positive == negative && _sides[top] == Positive);
        float polar = positive + negative;
        if (polar <= 0) return new(isPositive ? Positive : Negative, 0.5f);
        float side = isPositive ? positive : negative;
        // A two-class softmax's sides sum to one already: keep its class probability exactly.
        return new(isPositive ? Positive : Negative, head.Count == 2 && !head.Sigmoid ? side : side / polar);
    }

    /// <summary>
    /// The three-way verdict: Neutral when the neutral classes' mass exceeds each polar side's, otherwise
    /// <see cref="Binary"/>'s side, so a polar three-way label always equals the binary label. The score is the
    /// winning side's mass (<see cref="SideSums"/>): a class probability for a model with one class per side.
    /// </summary>
    public SentimentVerdict ThreeWay(ReadOnlySpan<float> probabilities) => Answers(probabilities).ThreeWay;

    /// <summary>Both verdicts at once (<see cref="Binary"/> and <see cref="ThreeWay"/>), the sides summed once: what every result carries.</summary>
    public (SentimentVerdict Binary, SentimentVerdict ThreeWay) Answers(ReadOnlySpan<float> probabilities)
    {
        var binary = Binary(probabilities);
        if (!IsCanonical || SentimentHead.Count == 1) return (binary, binary);
        var (positive, negative, neutral) = SideSums(probabilities);
        if (neutral > positive && neutral > negative) return (binary, new(Neutral, neutral));
        return (binary, new(binary.Label, binary.Label == Positive ? positive : negative));
    }

    /// <summary>The most probable emotion's index in the logits, or −1 when the model has no emotion head.</summary>
    public int TopEmotion(ReadOnlySpan<float> probabilities) => EmotionHead?.Top(probabilities) ?? -1;

    /// <summary>Every emotion class's score, in the model's order; empty when the model has no emotion head.</summary>
    public EmotionScore[] Emotions(IReadOnlyList<float> probabilities)
    {
        if (EmotionHead is not { } head) return [];
        var scores = new EmotionScore[head.Count];
        for (int i = 0; i < scores.Length; i++) scores[i] = new(Names[head.Offset + i], ModelLabels[head.Offset + i], probabilities[head.Offset + i]);
        return scores;
    }

    /// <summary>Why this model cannot answer emotions, in one sentence naming the models that can.</summary>
    public string NoEmotions(string modelName) =>
        $"The model '{modelName}' has no emotion labels (its labels are {string.Join(", ", ModelLabels)}); emotions come from models whose labels name emotions, such as the shipped default model or ModelScope's iic/nlp_structbert_emotion-classification_chinese-base.";
}
