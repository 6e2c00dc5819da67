namespace ZhSentiment.Inference;

/// <summary>
/// Combines the windows of a long text into one verdict so that a decisive opinion is not averaged away: each
/// window's probabilities count in proportion to its position (the last window most, as reviews tend to end on their
/// verdict) and to the square of its strength (how far its top probability stands above a uniform guess). A text of
/// one window keeps that window's answer exactly.
/// </summary>
public static class WindowCombiner
{
    /// <param name="logits">The windows' logits in text order, <c>labels</c> values each.</param>
    /// <param name="probabilities">Receives the combined probabilities.</param>
    /// <param name="combinedLogits">Receives the windows' logits under the same weights.</param>
    public static void Combine(ReadOnlySpan<float> logits, int windows, Span<float> probabilities, Span<float> combinedLogits)
    {
        int labels = probabilities.Length;
        probabilities.Clear();
        combinedLogits.Clear();
        Span<float> window = stackalloc float[labels];
        double total = 0;
        for (int w = 0; w < windows; w++)
        {
            var windowLogits = logits.Slice(w * labels, labels);
            Softmax(windowLogits, window);
            float top = 0;
            foreach (var p in window) top = Math.Max(top, p);
            float strength = top - 1f / labels;
            // The small floor keeps a text of undecided windows an average rather than a division by zero.
            double weight = windows == 1 ? 1 : (w + 1) * (strength * strength + 1e-4);
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

    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = float.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += probabilities[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) probabilities[i] = (float)(probabilities[i] / sum);
    }
}
