namespace ZhSentiment.Inference;

/// <summary>
/// Combines the windows of a long text into one verdict so that the strongest, latest opinion decides rather than
/// being averaged away: window <c>w</c> of <c>n</c> counts with weight
/// <c>exp(Sharpness · strength + Recency · w / (n − 1))</c>, where strength is how far its top probability stands
/// above a uniform guess. A window 0.1 stronger than another outweighs it twentyfold, so a clear verdict anywhere beats
/// many lukewarm windows; the last window outweighs the first twentyfold at equal strength, as reviews tend to end on
/// their verdict. A text of one window keeps that window's answer exactly. Each head of a
/// model (sentiment, emotion) is combined on its own.
/// </summary>
public static class WindowCombiner
{
    /// <summary>How steeply a window's weight grows with its strength.</summary>
    public const float Sharpness = 30f;

    /// <summary>How much more the last window weighs than the first, as a power of e.</summary>
    public const float Recency = 3f;

    /// <summary>Combines each head of a model's windows on its own, with weights from that head's strength.</summary>
    /// <param name="logits">The windows' logits in text order, <c>labels.Count</c> values each.</param>
    /// <param name="probabilities">Receives the combined probabilities (a softmax per head, or each class's sigmoid).</param>
    /// <param name="combinedLogits">Receives the windows' logits under the same weights.</param>
    public static void Combine(ReadOnlySpan<float> logits, int windows, Span<float> probabilities, Span<float> combinedLogits, LabelSet labels)
    {
        foreach (var head in labels.Heads) Combine(logits, windows, probabilities, combinedLogits, head);
    }

    private static void Combine(ReadOnlySpan<float> logits, int windows, Span<float> allProbabilities, Span<float> allCombinedLogits, LabelHead head)
    {
        int stride = allProbabilities.Length, labels = head.Count;
        bool sigmoid = head.Sigmoid;
        var probabilities = allProbabilities.Slice(head.Offset, labels);
        var combinedLogits = allCombinedLogits.Slice(head.Offset, labels);
        probabilities.Clear();
        combinedLogits.Clear();
        Span<float> window = stackalloc float[labels];
        float strongest = 0;
        for (int w = 0; w < windows; w++) strongest = Math.Max(strongest, Strength(logits.Slice(w * stride + head.Offset, labels), window, sigmoid));
        double total = 0;
        for (int w = 0; w < windows; w++)
        {
            var windowLogits = logits.Slice(w * stride + head.Offset, labels);
            // Relative to the strongest window, so the exponent stays small.
            double position = windows == 1 ? 0 : (double)w / (windows - 1);
            double weight = Math.Exp(Sharpness * (Strength(windowLogits, window, sigmoid) - strongest) + Recency * position);
            total += weight;
            for (int c = 0; c < labels; c++)
            {
                probabilities[c] += (float)(weight * window[c]);
                combinedLogits[c] += (float)(weight * windowLogits[c]);
            }
        }
        for (int c = 0; c < labels; c++)
        {
            probabilities[c] = (float)(probabilities[c] / total);
            combinedLogits[c] = (float)(combinedLogits[c] / total);
        }
    }

    /// <summary>The window's top probability above a uniform guess; <paramref name="probabilities"/> receives its probabilities.</summary>
    private static float Strength(ReadOnlySpan<float> logits, Span<float> probabilities, bool sigmoid)
    {
        if (sigmoid)
            for (int i = 0; i < logits.Length; i++) probabilities[i] = 1 / (1 + MathF.Exp(-logits[i]));
        else Softmax(logits, probabilities);
        float top = 0;
        foreach (var p in probabilities) top = Math.Max(top, p);
        return top - (sigmoid ? 0.5f : 1f / probabilities.Length);
    }

    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = float.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += probabilities[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) probabilities[i] = (float)(probabilities[i] / sum);
    }
}
