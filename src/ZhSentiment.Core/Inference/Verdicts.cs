namespace ZhSentiment.Inference;

/// <summary>
/// A sentiment answer: <c>Positive</c>, <c>Negative</c> or (three-way only) <c>Neutral</c>, with its probability;
/// for a model whose labels do not map, the top class's own name. See <see cref="LabelSet.Binary"/> and
/// <see cref="LabelSet.ThreeWay"/>.
/// </summary>
public readonly record struct SentimentVerdict(string Label, float Score);

/// <summary>One emotion class of a model: its canonical name, its own label, and its score.</summary>
public readonly record struct EmotionScore(string Label, string ModelLabel, float Score);
