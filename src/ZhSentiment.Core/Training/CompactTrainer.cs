using ZhSentiment.Compact;
using ZhSentiment.Inference;

namespace ZhSentiment.Training;

/// <summary>
/// Trains a <see cref="CompactWeights"/> model with plain SGD (fastText's recipe: one example at a time, the step
/// decaying linearly to zero) on the logistic loss of each head (see <see cref="HeadTarget"/>). One thread, so
/// that a seed fixes the result. Then, when a calibration slice is given, each head's temperature is fitted on it.
/// With emotion rows, the emotion head is trained afterwards in a pass of its own (softmax loss, its own random
/// stream), so that the sentiment part is the same, bit for bit, as a model trained without them.
/// </summary>
public sealed class CompactTrainer
{
    private readonly CompactTrainerOptions _options;
    private readonly NgramFeaturizer _featurizer, _emotionFeaturizer;

    public CompactTrainer(CompactTrainerOptions options)
    {
        options.Validate();
        _options = options;
        // The sentiment heads read n-grams only; the emotion head reads the lexicon's classes too.
        _featurizer = new NgramFeaturizer(options.Model);
        _emotionFeaturizer = new NgramFeaturizer(options.Model, options.EmotionLexicon);
    }

    /// <summary>Reports progress as (epoch, examples done in it, examples per epoch).</summary>
    public Action<int, int, int>? Progress { get; init; }

    /// <summary>Called after each epoch with the weights so far (e.g. to measure them on a dev set).</summary>
    public Action<int, CompactWeights>? EpochDone { get; init; }

    /// <summary>Called after each epoch of the emotion pass with the weights so far.</summary>
    public Action<int, CompactWeights>? EmotionEpochDone { get; init; }

    /// <summary>
    /// Trains on <paramref name="examples"/> (labels in the model's label order); the table is rounded to half
    /// precision at the end, as it is saved. With <paramref name="calibration"/>, the heads' temperatures are fitted on
    /// it afterwards (it should be held out of <paramref name="examples"/>). With <paramref name="teacher"/> (an
    /// opinion per example), the heads learn a blend of the gold label and the teacher (<see cref="Targets"/>).
    /// <paramref name="emotions"/> (labels indexing <see cref="CompactConfig.EmotionLabels"/>) train the emotion head,
    /// whose temperature is fitted on <paramref name="emotionCalibration"/>.
    /// </summary>
    public CompactWeights Train(IReadOnlyList<LabelledExample> examples, IReadOnlyList<LabelledExample>? calibration = null, IReadOnlyList<TeacherOpinion>? teacher = null,
        IReadOnlyList<LabelledExample>? emotions = null, IReadOnlyList<LabelledExample>? emotionCalibration = null)
    {
        var config = _options.Model;
        int emotionLabels = config.EmotionLabels.Count;
        if (emotions is { Count: > 0 } && emotionLabels == 0) throw new ArgumentException("There are emotion rows but the model has no emotion labels.", nameof(emotions));
        if (emotionLabels > 0 && emotions is not { Count: > 0 }) throw new ArgumentException("The model has emotion labels but there are no emotion rows to train them on.", nameof(emotions));
        foreach (var e in (emotions ?? []).Concat(emotionCalibration ?? []))
            if ((uint)e.Label >= (uint)emotionLabels) throw new ArgumentException($"Line {e.Line}: emotion {e.Label} is outside 0..{emotionLabels - 1}.", nameof(emotions));

        var weights = TrainSentiment(examples, calibration, teacher);
        if (emotionLabels > 0) weights = TrainEmotions(weights, emotions!, emotionCalibration);
        return weights;
    }

    private CompactWeights TrainSentiment(IReadOnlyList<LabelledExample> examples, IReadOnlyList<LabelledExample>? calibration, IReadOnlyList<TeacherOpinion>? teacher)
    {
        var config = _options.Model;
        if (config.Output != CompactOutput.Heads) throw new ArgumentException("Training writes models with output 'heads'.", nameof(examples));
        int labels = config.Labels.Count;
        foreach (var e in examples)
            if ((uint)e.Label >= (uint)labels) throw new ArgumentException($"Line {e.Line}: label {e.Label} is outside 0..{labels - 1}.", nameof(examples));
        if (examples.Count == 0) throw new ArgumentException("There are no examples to train on.", nameof(examples));
        if (teacher is not null && teacher.Count != examples.Count) throw new ArgumentException($"There are {teacher.Count} teacher opinions for {examples.Count} examples.", nameof(teacher));

        var data = FeaturizedSet.Create(examples, _featurizer);
        var targets = Targets(config, data.Labels, teacher, _options.TeacherWeight);
        int heads = config.Heads;
        var exampleWeights = ClassWeights.For(examples, labels, _options.ClassWeighting);
        var weights = new CompactWeights(config, _options.EmotionLexicon);
        var random = new Random(_options.Seed);
        Initialise(weights, random);

        var order = new int[data.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var scratch = new CompactWeights.Scratch(weights);
        var gradient = new float[config.Dim + config.ConvFilters];
        long total = (long)_options.Epochs * data.Count, step = 0;
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (int i = 0; i < order.Length; i++, step++)
            {
                float lr = _options.LearningRate * (1f - (float)step / total);
                int example = order[i];
                Step(weights, data[example], targets.AsSpan(example * heads, heads), lr * exampleWeights[example], scratch, gradient);
                if ((i & 1023) == 0) Progress?.Invoke(epoch, i, order.Length);
            }
            Progress?.Invoke(epoch, order.Length, order.Length);
            EpochDone?.Invoke(epoch, weights);
        }
        weights.RoundTablesToHalf();
        // Temperatures are fitted to the gold labels even when a teacher taught the heads: probabilities should say how
        // often the student is right, and echoing the teacher's confidence would carry over its miscalibration.
        if (calibration is { Count: > 0 }) weights = Calibration.FitTemperatures(weights, FeaturizedSet.Create(calibration, _featurizer));
        return weights;
    }

    /// <summary>
    /// The emotion head's pass: SGD on the softmax (multinomial logistic) loss, one example at a time, the step decaying
    /// linearly to zero over <see cref="CompactTrainerOptions.EmotionEpochs"/>, example order from a random stream of
    /// its own; it touches nothing of the sentiment part. Then its temperature is fitted on the held-out rows.
    /// </summary>
    private CompactWeights TrainEmotions(CompactWeights weights, IReadOnlyList<LabelledExample> emotions, IReadOnlyList<LabelledExample>? calibration)
    {
        int labels = weights.Emotions, epochs = _options.EmotionEpochs;
        var data = FeaturizedSet.Create(emotions, _emotionFeaturizer);
        var exampleWeights = ClassWeights.For(emotions, labels, _options.EmotionClassWeighting ?? _options.ClassWeighting);
        // A stream apart from the sentiment pass's, so that neither depends on the other's draws.
        var random = new Random(unchecked(_options.Seed * 1_000_003 + 0x0e30));
        var order = new int[data.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var scratch = new CompactWeights.Scratch(weights);
        var gradient = new float[labels];
        long total = (long)epochs * data.Count, step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            random.Shuffle(order);
            for (int i = 0; i < order.Length; i++, step++)
            {
                float lr = _options.LearningRate * (1f - (float)step / total) * exampleWeights[order[i]];
                EmotionStep(weights, data[order[i]], data.Labels[order[i]], lr, scratch, gradient);
            }
            EmotionEpochDone?.Invoke(epoch, weights);
        }
        weights.RoundEmotionTableToHalf();
        if (calibration is { Count: > 0 }) weights = Calibration.FitEmotionTemperature(weights, FeaturizedSet.Create(calibration, _emotionFeaturizer));
        return weights;
    }

    private void EmotionStep(CompactWeights w, ReadOnlySpan<int> ids, int label, float lr, CompactWeights.Scratch scratch, float[] gradient)
    {
        if (ids.IsEmpty) return;
        int labels = w.Emotions;
        w.EmotionScores(ids, scratch);
        // d(loss)/d(score) = softmax(scores) − one-hot(label).
        WindowCombiner.Softmax(scratch.EmotionScores, gradient);
        gradient[label] -= 1;
        for (int e = 0; e < labels; e++) w.EmotionBias[e] -= lr * gradient[e];
        float tableStep = lr * _options.EmotionStepScale * w.PoolingScale(ids.Length);
        foreach (int id in ids)
        {
            var row = w.EmotionTable.AsSpan(w.EmotionRow(id) * labels, labels);
            for (int e = 0; e < labels; e++) row[e] -= tableStep * gradient[e];
        }
    }

    /// <summary>Embeddings and filters drawn uniformly at a scale that keeps first scores near zero; output layers start at zero.</summary>
    private static void Initialise(CompactWeights w, Random random)
    {
        int dim = w.Config.Dim;
        if (dim == 0) return;
        float range = 1f / dim;
        for (int i = 0; i < w.Embeddings.Length; i++) w.Embeddings[i] = (float)(random.NextDouble() * 2 - 1) * range;
        float kernelRange = 1f / MathF.Sqrt(w.Config.ConvWidth * dim);
        for (int i = 0; i < w.ConvKernel.Length; i++) w.ConvKernel[i] = (float)(random.NextDouble() * 2 - 1) * kernelRange;
    }

    /// <summary>
    /// The logistic target of <paramref name="head"/> for a text labelled <paramref name="label"/>. Polarity: 0 for
    /// negative, 1 for positive, and one half for neutral text, so that the polarity head learns to lean neither way on
    /// a text without an opinion (the binary answer of such a text stays unsure). Subjectivity: 0 for neutral, 1 for an
    /// opinion.
    /// </summary>
    internal static float HeadTarget(CompactConfig config, int head, int label)
    {
        if (config.Labels.Count == 2) return label;
        if (head == 0) return label * 0.5f;
        return label == 1 ? 0 : 1;
    }

    /// <summary>
    /// Each example's head targets, <c>heads</c> floats per example: the gold label's (<see cref="HeadTarget"/>), or
    /// with a teacher (1 − <paramref name="teacherWeight"/>) · gold + <paramref name="teacherWeight"/> · the teacher's:
    /// its positive share for polarity, its 1 − P(neutral) for subjectivity (gold alone when it has no neutral class).
    /// </summary>
    internal static float[] Targets(CompactConfig config, int[] labels, IReadOnlyList<TeacherOpinion>? teacher, float teacherWeight)
    {
        int heads = config.Heads;
        var targets = new float[labels.Length * heads];
        for (int i = 0; i < labels.Length; i++)
        {
            for (int h = 0; h < heads; h++)
            {
                float gold = HeadTarget(config, h, labels[i]);
                float? taught = teacher is null ? null : h == 0 ? teacher[i].Positive : teacher[i].Subjective;
                targets[i * heads + h] = taught is { } t ? (1 - teacherWeight) * gold + teacherWeight * t : gold;
            }
        }
        return targets;
    }

    private void Step(CompactWeights w, ReadOnlySpan<int> ids, ReadOnlySpan<float> targets, float lr, CompactWeights.Scratch scratch, float[] gradient)
    {
        if (ids.IsEmpty) return;
        var config = w.Config;
        int heads = w.Heads, dim = config.Dim, filters = config.ConvFilters, width = config.ConvWidth;
        w.HeadScores(ids, scratch);
        Span<float> g = stackalloc float[heads];
        for (int h = 0; h < heads; h++)
        {
            // d(loss)/d(score) = sigmoid(score) - target.
            g[h] = Sigmoid(scratch.Scores[h]) - targets[h];
            w.Bias[h] -= lr * g[h];
        }
        float scale = w.PoolingScale(ids.Length), linearStep = lr * _options.LinearStepScale * scale;
        foreach (int id in ids)
            for (int h = 0; h < heads; h++) w.Linear[(long)id * heads + h] -= linearStep * g[h];
        if (dim == 0) return;

        // Gradients of the pooled embedding and of each filter's maximum, before the layers above them move.
        var pooledGradient = gradient.AsSpan(0, dim);
        var maxGradient = gradient.AsSpan(dim, filters);
        pooledGradient.Clear();
        maxGradient.Clear();
        for (int h = 0; h < heads; h++)
        {
            var output = w.Output.AsSpan(h * dim, dim);
            CompactWeights.Add(pooledGradient, output, g[h]);
            CompactWeights.Add(output, scratch.Pooled, -lr * g[h]);
            if (filters == 0) continue;
            var convOutput = w.ConvOutput.AsSpan(h * filters, filters);
            CompactWeights.Add(maxGradient, convOutput, g[h]);
            CompactWeights.Add(convOutput, scratch.ConvMax, -lr * g[h]);
        }
        foreach (int id in ids) CompactWeights.Add(w.Embeddings.AsSpan(w.EmbeddingRow(id) * dim, dim), pooledGradient, -lr * scale);

        float convStep = lr * _options.ConvStepScale;
        for (int f = 0; f < filters; f++)
        {
            int at = scratch.ConvArgMax[f];
            if (at < 0) continue; // the filter stayed at or below zero everywhere: ReLU passes no gradient
            float gm = convStep * maxGradient[f];
            w.ConvBias[f] -= gm;
            for (int t = 0; t < width && at + t < ids.Length; t++)
            {
                var kernel = w.ConvKernel.AsSpan((f * width + t) * dim, dim);
                var embedding = w.Embeddings.AsSpan(w.EmbeddingRow(ids[at + t]) * dim, dim);
                for (int d = 0; d < dim; d++)
                {
                    float k = kernel[d], e = embedding[d];
                    kernel[d] = k - gm * e;
                    embedding[d] = e - gm * k;
                }
            }
        }
    }

    /// <summary>
    /// Each text's label probabilities (the sentiment labels', then the emotions'), computed directly from the weights,
    /// windowed and combined per head as the engine does.
    /// </summary>
    public static float[][] Probabilities(CompactWeights weights, IReadOnlyList<string> texts)
    {
        var featurizer = new NgramFeaturizer(weights.Config, weights.Lexicon);
        var labelSet = weights.Config.LabelSet();
        int labels = weights.Outputs;
        var ids = new List<int>();
        var scratch = new CompactWeights.Scratch(weights);
        var result = new float[texts.Count][];
        for (int t = 0; t < texts.Count; t++)
        {
            ids.Clear();
            featurizer.Encode(texts[t], ids);
            var windows = new TextWindows(ids.Count, weights.Config.MaxSequenceLength, new LongTextOptions());
            var logits = new float[windows.Count * labels];
            for (int i = 0; i < windows.Count; i++)
            {
                var (start, length) = windows[i];
                weights.Logits(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids).Slice(start, length), logits.AsSpan(i * labels, labels), scratch);
            }
            result[t] = new float[labels];
            WindowCombiner.Combine(logits, windows.Count, result[t], new float[labels], labelSet);
        }
        return result;
    }

    internal static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
