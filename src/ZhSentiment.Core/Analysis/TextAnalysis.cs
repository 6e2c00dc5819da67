using ZhSentiment.Inference;

namespace ZhSentiment.Analysis;

/// <summary>Class probabilities in the model's label order and the answers its <see cref="LabelSet"/> reads from them.</summary>
public sealed class Verdict
{
    public Verdict(LabelSet labels, IReadOnlyList<float> probabilities)
    {
        var p = probabilities as float[] ?? [.. probabilities];
        Probabilities = p;
        LabelIndex = labels.SentimentHead.Top(p);
        (Label, Score) = labels.ThreeWay(p);
        int emotion = labels.TopEmotion(p);
        Emotion = emotion < 0 ? null : labels.Names[emotion];
        EmotionScore = emotion < 0 ? 0 : p[emotion];
    }

    public IReadOnlyList<float> Probabilities { get; }

    /// <summary>Index of the sentiment head's most probable class.</summary>
    public int LabelIndex { get; }

    /// <summary>The three-way answer (<see cref="LabelSet.ThreeWay"/>) and its probability.</summary>
    public string Label { get; }
    public float Score { get; }

    /// <summary>The most probable emotion and its score; null (and 0) when the model has no emotion head.</summary>
    public string? Emotion { get; }
    public float EmotionScore { get; }
}

/// <summary>A sentence or clause and the model's verdict on it alone.</summary>
public sealed record SentenceVerdict(int Start, int End, Verdict Verdict);

/// <summary>A span and how far it moved the verdict: the probability of Positive with it minus without it.</summary>
public sealed record EvidenceSpan(int Start, int End, float Weight);

/// <summary>
/// An aspect of the request: whether the text mentions it, the verdict of its strongest, latest opinion (null when it is
/// not mentioned) and that opinion's span (<see cref="OpinionSpans"/>); for an aspect judged both ways, Neutral, with its
/// strongest praise and strongest blame as spans.
/// </summary>
public sealed record AspectVerdict(string Name, Verdict? Verdict, IReadOnlyList<(int Start, int End)> Spans)
{
    public bool Mentioned => Verdict is not null;
}

/// <summary>What <see cref="TextAnalyzer"/> found in one text.</summary>
public sealed class TextAnalysis
{
    internal TextAnalysis(string text, SentimentResult whole, Verdict verdict, bool contrast, IReadOnlyList<SentenceVerdict> sentences,
        IReadOnlyList<EvidenceSpan> evidence, IReadOnlyList<AspectVerdict> aspects, int predictions, bool mixed)
    {
        Text = text;
        Whole = whole;
        Verdict = verdict;
        ContrastApplied = contrast;
        Sentences = sentences;
        Evidence = evidence;
        Aspects = aspects;
        Predictions = predictions;
        Mixed = mixed;
    }

    public string Text { get; }

    /// <summary>The model's verdict on the whole text, as <c>/v1/sentiment</c> gives it.</summary>
    public SentimentResult Whole { get; }

    /// <summary>The overall verdict: <see cref="Whole"/>'s, shifted towards the clauses after a contrast marker when there is one.</summary>
    public Verdict Verdict { get; }

    /// <summary>Whether a contrast marker made <see cref="Verdict"/> differ from <see cref="Whole"/>.</summary>
    public bool ContrastApplied { get; }

    public IReadOnlyList<SentenceVerdict> Sentences { get; }

    /// <summary>Strongest first.</summary>
    public IReadOnlyList<EvidenceSpan> Evidence { get; }

    /// <summary>In the order the aspects were asked for.</summary>
    public IReadOnlyList<AspectVerdict> Aspects { get; }

    /// <summary>Whether one sentence is clearly Positive and another clearly Negative (<see cref="TextAnalyzer.MixedThreshold"/>).</summary>
    public bool Mixed { get; }

    /// <summary>Texts the model classified for this analysis, the whole text included.</summary>
    public int Predictions { get; }
}
