using ZhSentiment.Compact;
using ZhSentiment.Inference;

namespace ZhSentiment.Training;

/// <summary>
/// Trains a <see cref="CompactWeights"/> model with plain SGD on the softmax cross-entropy (fastText's recipe: one
/// example at a time, the step decaying linearly to zero), on one thread so that a seed fixes the result.
/// </summary>
public sealed class CompactTrainer
{
    private readonly CompactTrainerOptions _options;
    private readonly NgramFeaturizer _featurizer;

    public CompactTrainer(CompactTrainerOptions options)
    {
        options.Validate();
        _options = options;
        _featurizer = new NgramFeaturizer(options.Model);
    }

    /// <summary>Reports progress as (epoch, examples done in it, examples per epoch).</summary>
    public Action<int, int, int>? Progress { get; init; }

    /// <summary>Called after each epoch with the weights so far (e.g. to measure them on a dev set).</summary>
    public Action<int, CompactWeights>? EpochDone { get; init; }

    /// <summary>Trains on <paramref name="examples"/>; the table is rounded to half precision at the end, as it is saved.</summary>
    public CompactWeights Train(IReadOnlyList<LabelledExample> examples)
    {
        var config = _options.Model;
        int labels = config.Labels.Count;
        foreach (var e in examples)
            if ((uint)e.Label >= (uint)labels) throw new ArgumentException($"Line {e.Line}: label {e.Label} is outside 0..{labels - 1}.", nameof(examples));
        if (examples.Count == 0) throw new ArgumentException("There are no examples to train on.", nameof(examples));

        var data = FeaturizedSet.Create(examples, _featurizer);
        var weights = new CompactWeights(config);
        var random = new Random(_options.Seed);
        int dim = config.Dim, width = weights.RowWidth;
        if (dim > 0)
        {
            float range = 1f / dim;
            for (int b = 0; b < config.Buckets; b++)
                for (int d = 0; d < dim; d++) weights.Table[(long)b * width + d] = (float)(random.NextDouble() * 2 - 1) * range;
        }

        var order = new int[data.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var pooled = new float[width];
        var logits = new float[labels];
        var grad = new float[width];
        long total = (long)_options.Epochs * data.Count, step = 0;
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (int i = 0; i < order.Length; i++, step++)
            {
                float lr = _options.LearningRate * (1f - (float)step / total);
                Step(weights, data[order[i]], data.Labels[order[i]], lr, _options.LinearStepScale, pooled, logits, grad);
                if ((i & 1023) == 0) Progress?.Invoke(epoch, i, order.Length);
            }
            Progress?.Invoke(epoch, order.Length, order.Length);
            EpochDone?.Invoke(epoch, weights);
        }
        weights.RoundTableToHalf();
        return weights;
    }

    private static void Step(CompactWeights w, ReadOnlySpan<int> ids, int label, float lr, float linearScale, float[] pooled, float[] logits, float[] grad)
    {
        if (ids.IsEmpty) return;
        int dim = w.Config.Dim, labels = w.Labels, width = w.RowWidth;
        w.Logits(ids, logits, pooled);
        Softmax(logits);
        Array.Clear(grad);
        for (int l = 0; l < labels; l++)
        {
            // d(loss)/d(logit) = p - onehot.
            float g = logits[l] - (l == label ? 1f : 0f);
            grad[dim + l] = g * linearScale;
            var output = w.Output.AsSpan(l * dim, dim);
            for (int d = 0; d < dim; d++)
            {
                grad[d] += g * output[d];
                output[d] -= lr * g * pooled[d];
            }
            w.Bias[l] -= lr * g;
        }
        float scale = lr / ids.Length;
        foreach (int id in ids)
        {
            var row = w.Table.AsSpan(id * width, width);
            for (int k = 0; k < width; k++) row[k] -= scale * grad[k];
        }
    }

    /// <summary>
    /// Predicts <paramref name="examples"/> directly from the weights, windowed and averaged as the engine does;
    /// returns each text's predicted label.
    /// </summary>
    public static int[] Predict(CompactWeights weights, IReadOnlyList<string> texts)
    {
        var featurizer = new NgramFeaturizer(weights.Config);
        int labels = weights.Labels;
        var ids = new List<int>();
        var pooled = new float[weights.RowWidth];
        var logits = new float[labels];
        var sum = new float[labels];
        var predicted = new int[texts.Count];
        for (int t = 0; t < texts.Count; t++)
        {
            ids.Clear();
            featurizer.Encode(texts[t], ids);
            var windows = new TextWindows(ids.Count, weights.Config.MaxSequenceLength, new LongTextOptions());
            Array.Clear(sum);
            for (int i = 0; i < windows.Count; i++)
            {
                var (start, length) = windows[i];
                weights.Logits(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids).Slice(start, length), logits, pooled);
                Softmax(logits);
                for (int l = 0; l < labels; l++) sum[l] += logits[l];
            }
            int best = 0;
            for (int l = 1; l < labels; l++) if (sum[l] > sum[best]) best = l;
            predicted[t] = best;
        }
        return predicted;
    }

    private static void Softmax(Span<float> values)
    {
        float max = values[0];
        foreach (var v in values) max = Math.Max(max, v);
        float total = 0;
        for (int i = 0; i < values.Length; i++) total += values[i] = MathF.Exp(values[i] - max);
        for (int i = 0; i < values.Length; i++) values[i] /= total;
    }
}
