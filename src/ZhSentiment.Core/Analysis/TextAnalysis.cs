using ZhSentiment.Inference;

namespace ZhSentiment.Analysis;

/// <summary>Class probabilities in the model's label order, and the most probable class.</summary>
public sealed class Verdict
{
    public Verdict(IReadOnlyList<float> probabilities)
    {
        Probabilities = probabilities;
        for (int i = 1; i < probabilities.Count; i++)
            if (probabilities[i] > probabilities[LabelIndex]) LabelIndex = i;
    }

    public IReadOnlyList<float> Probabilities { get; }
    public int LabelIndex { get; }
    public float Score => Probabilities[LabelIndex];
}

/// <summary>A sentence or clause and the model's verdict on it alone.</summary>
public sealed record SentenceVerdict(int Start, int End, Verdict Verdict);

/// <summary>A span and how far it moved the verdict: the probability of Positive with it minus without it.</summary>
public sealed record EvidenceSpan(int Start, int End, float Weight);

/// <summary>
/// An aspect of the request: whether the text mentions it, the verdict on the clauses that do (null when it is not
/// mentioned) and their spans.
/// </summary>
public sealed record AspectVerdict(string Name, Verdict? Verdict, IReadOnlyList<(int Start, int End)> Spans)
{
    public bool Mentioned => Verdict is not null;
}

/// <summary>What <see cref="TextAnalyzer"/> found in one text.</summary>
public sealed class TextAnalysis
{
    internal TextAnalysis(string text, SentimentResult whole, Verdict verdict, bool contrast, IReadOnlyList<SentenceVerdict> sentences,
        IReadOnlyList<EvidenceSpan> evidence, IReadOnlyList<AspectVerdict> aspects, int predictions)
    {
        Text = text;
        Whole = whole;
        Verdict = verdict;
        ContrastApplied = contrast;
        Sentences = sentences;
        Evidence = evidence;
        Aspects = aspects;
        Predictions = predictions;
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

    /// <summary>Texts the model classified for this analysis, the whole text included.</summary>
    public int Predictions { get; }
}
