namespace ZhSentiment.Training;

/// <summary>One bin of a reliability diagram: predictions whose confidence falls in (Low, High].</summary>
public sealed record ReliabilityBin(double Low, double High, int Count, double MeanConfidence, double Accuracy);

/// <summary>
/// How far a model's confidence is from its accuracy: predictions grouped by their top probability into equal-width
/// bins; the expected calibration error is the bins' |accuracy − mean confidence| weighted by their share of texts.
/// </summary>
public sealed record ReliabilityDiagram(IReadOnlyList<ReliabilityBin> Bins, double ExpectedCalibrationError)
{
    public static ReliabilityDiagram Compute(IReadOnlyList<float> confidences, IReadOnlyList<bool> correct, int bins = 10)
    {
        if (confidences.Count != correct.Count) throw new ArgumentException("Confidences and outcomes must have the same length.");
        var count = new int[bins];
        var confidence = new double[bins];
        var hits = new int[bins];
        for (int i = 0; i < confidences.Count; i++)
        {
            int b = Math.Clamp((int)Math.Ceiling(confidences[i] * bins) - 1, 0, bins - 1);
            count[b]++;
            confidence[b] += confidences[i];
            if (correct[i]) hits[b]++;
        }
        var result = new ReliabilityBin[bins];
        double error = 0;
        for (int b = 0; b < bins; b++)
        {
            double meanConfidence = count[b] == 0 ? 0 : confidence[b] / count[b], accuracy = count[b] == 0 ? 0 : (double)hits[b] / count[b];
            result[b] = new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, count[b], meanConfidence, accuracy);
            if (confidences.Count > 0) error += (double)count[b] / confidences.Count * Math.Abs(accuracy - meanConfidence);
        }
        return new ReliabilityDiagram(result, error);
    }
}
