using ZhSentiment.Compact;

namespace ZhSentiment.Training;

/// <summary>
/// Temperature scaling (Guo et al., 2017): each head's score is divided by the temperature that minimises the logistic
/// loss on a calibration slice held out of training. It changes no decision, only how sure the probabilities are.
/// </summary>
internal static class Calibration
{
    public static CompactWeights FitTemperatures(CompactWeights weights, FeaturizedSet slice)
    {
        var config = weights.Config;
        var scores = new float[slice.Count * weights.Heads];
        var scratch = new CompactWeights.Scratch(weights);
        for (int i = 0; i < slice.Count; i++)
        {
            weights.HeadScores(slice[i], scratch);
            scratch.Scores.CopyTo(scores, i * weights.Heads);
        }

        var temperatures = new float[weights.Heads];
        for (int h = 0; h < weights.Heads; h++)
        {
            // Calibrated on what the head decides: polarity on texts with an opinion (not on the soft targets of
            // neutral texts, which would make it shy of opinions), subjectivity on every text.
            var pairs = new List<(float Score, float Target)>(slice.Count);
            for (int i = 0; i < slice.Count; i++)
            {
                float target = CompactTrainer.HeadTarget(config, h, slice.Labels[i]);
                if (target is 0 or 1) pairs.Add((scores[i * weights.Heads + h], target));
            }
            temperatures[h] = pairs.Count == 0 ? 1f : MinimiseLoss(pairs);
        }
        return weights.With(config with { HeadTemperatures = temperatures });
    }

    /// <summary>
    /// The emotion head's temperature: the one in [0.05, 20] with the least multinomial logistic loss on
    /// <paramref name="slice"/> (labels index the emotions).
    /// </summary>
    public static CompactWeights FitEmotionTemperature(CompactWeights weights, FeaturizedSet slice)
    {
        int emotions = weights.Emotions;
        var scores = new float[slice.Count * emotions];
        var scratch = new CompactWeights.Scratch(weights);
        for (int i = 0; i < slice.Count; i++)
        {
            weights.EmotionScores(slice[i], scratch);
            scratch.EmotionScores.CopyTo(scores, i * emotions);
        }
        double Loss(double t)
        {
            double sum = 0;
            for (int i = 0; i < slice.Count; i++)
            {
                var z = scores.AsSpan(i * emotions, emotions);
                double max = double.NegativeInfinity, total = 0;
                foreach (var v in z) max = Math.Max(max, v / t);
                foreach (var v in z) total += Math.Exp(v / t - max);
                sum += max + Math.Log(total) - z[slice.Labels[i]] / t;
            }
            return sum;
        }
        float temperature = slice.Count == 0 ? 1f : GoldenSection(Loss);
        return weights.With(weights.Config with { EmotionTemperature = temperature });
    }

    /// <summary>The temperature with the least logistic loss over <paramref name="pairs"/>.</summary>
    private static float MinimiseLoss(List<(float Score, float Target)> pairs) => GoldenSection(t =>
    {
        double sum = 0;
        foreach (var (score, target) in pairs)
        {
            double z = score / t;
            sum += target == 1 ? Softplus(-z) : Softplus(z);
        }
        return sum;
    });

    /// <summary>Golden-section search for the temperature in [0.05, 20] (over its logarithm) where <paramref name="loss"/> is least.</summary>
    private static float GoldenSection(Func<double, double> loss)
    {
        double Loss(double logT) => loss(Math.Exp(logT));
        double a = Math.Log(0.05), b = Math.Log(20), ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a), fc = Loss(c), fd = Loss(d);
        for (int i = 0; i < 60; i++)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = Loss(c); }
            else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = Loss(d); }
        }
        return (float)Math.Exp((a + b) / 2);
    }

    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
}
