namespace ZhSentiment.Compact;

/// <summary>
/// The compact model's parameters, each head's score summing up to three readers of a window's n-gram ids:
/// <list type="bullet">
/// <item>a linear n-gram model: the mean of the ids' rows of <see cref="Linear"/> (one weight per head);</item>
/// <item>a bag of embeddings: <see cref="Output"/> times the mean of the ids' rows of <see cref="Embeddings"/>
/// (row <c>id mod EmbeddingRows</c>, a smaller table than the linear one);</item>
/// <item>a convolution over the ids' embeddings in text order (<see cref="ConvKernel"/>, ReLU, the maximum over
/// positions), read by <see cref="ConvOutput"/>: what sees order beyond one n-gram.</item>
/// </list>
/// plus <see cref="Bias"/>. See <see cref="CompactConfig.Output"/> for how the heads become label probabilities.
/// With emotions (<see cref="CompactConfig.EmotionLabels"/>), a separate linear head over its own table
/// (<see cref="EmotionTable"/>, <see cref="EmotionBias"/>) scores each emotion; its logits follow the sentiment ones.
/// </summary>
public sealed class CompactWeights
{
    public CompactWeights(CompactConfig config, EmotionLexicon? lexicon = null)
    {
        if ((lexicon?.Classes ?? 0) != config.EmotionLexiconClasses)
            throw new ArgumentException($"The config names {config.EmotionLexiconClasses} emotion lexicon classes; the lexicon has {lexicon?.Classes ?? 0}.", nameof(lexicon));
        Config = config;
        Lexicon = lexicon;
        Linear = new float[checked((long)config.Buckets * Heads)];
        Embeddings = new float[checked((long)config.EmbeddingRows * config.Dim)];
        Output = new float[Heads * config.Dim];
        ConvKernel = new float[config.ConvFilters * config.ConvWidth * config.Dim];
        ConvBias = new float[config.ConvFilters];
        ConvOutput = new float[Heads * config.ConvFilters];
        Bias = new float[Heads];
        EmotionTable = new float[config.HasEmotions ? checked((long)(config.EmotionBuckets + config.EmotionLexiconClasses) * Emotions) : 0];
        EmotionBias = new float[Emotions];
    }

    /// <summary>The same parameters under another config of the same shape (e.g. with fitted temperatures).</summary>
    public CompactWeights With(CompactConfig config)
    {
        var copy = new CompactWeights(config, Lexicon);
        foreach (var (from, to) in new[] { (Linear, copy.Linear), (Embeddings, copy.Embeddings), (Output, copy.Output), (ConvKernel, copy.ConvKernel),
            (ConvBias, copy.ConvBias), (ConvOutput, copy.ConvOutput), (Bias, copy.Bias), (EmotionTable, copy.EmotionTable), (EmotionBias, copy.EmotionBias) })
        {
            if (from.Length != to.Length) throw new ArgumentException("The config describes weights of another shape.", nameof(config));
            from.CopyTo(to, 0);
        }
        return copy;
    }

    public CompactConfig Config { get; }

    /// <summary>The emotion head's lexicon (<see cref="CompactConfig.EmotionLexiconClasses"/>), or null.</summary>
    public EmotionLexicon? Lexicon { get; }
    public int Labels => Config.Labels.Count;
    public int Heads => Config.Heads;
    public int Emotions => Config.EmotionLabels.Count;

    /// <summary>Logits per window: the sentiment labels', then the emotions'.</summary>
    public int Outputs => Config.Outputs;

    /// <summary><c>[Buckets, Heads]</c>, row-major.</summary>
    public float[] Linear { get; }

    /// <summary><c>[EmbeddingRows, Dim]</c>, row-major.</summary>
    public float[] Embeddings { get; }

    /// <summary><c>[Heads, Dim]</c>, row-major.</summary>
    public float[] Output { get; }

    /// <summary><c>[ConvFilters, ConvWidth, Dim]</c>: filter f's weight for the id t places after its start.</summary>
    public float[] ConvKernel { get; }

    public float[] ConvBias { get; }

    /// <summary><c>[Heads, ConvFilters]</c>, row-major.</summary>
    public float[] ConvOutput { get; }

    public float[] Bias { get; }

    /// <summary><c>[EmotionBuckets + lexicon classes, Emotions]</c>, row-major; empty without emotions.</summary>
    public float[] EmotionTable { get; }

    public float[] EmotionBias { get; }

    /// <summary>An n-gram id's row is <c>id mod EmotionBuckets</c>; a lexicon class's rows follow them.</summary>
    public int EmotionRow(int id) => id < Config.Buckets ? id % Config.EmotionBuckets : Config.EmotionBuckets + (id - Config.Buckets);

    /// <summary>Rounds the tables to half precision, as they are stored in the graph.</summary>
    public void RoundTablesToHalf()
    {
        for (int i = 0; i < Linear.Length; i++) Linear[i] = (float)(Half)Linear[i];
        for (int i = 0; i < Embeddings.Length; i++) Embeddings[i] = (float)(Half)Embeddings[i];
        RoundEmotionTableToHalf();
    }

    public void RoundEmotionTableToHalf()
    {
        for (int i = 0; i < EmotionTable.Length; i++) EmotionTable[i] = (float)(Half)EmotionTable[i];
    }

    public int EmbeddingRow(int id) => id % Config.EmbeddingRows;

    /// <summary>What the sum of a window's rows is multiplied by: 1/n, or 1/√n with <see cref="CompactConfig.SqrtPooling"/>.</summary>
    public float PoolingScale(int ids) => Config.SqrtPooling ? 1f / MathF.Sqrt(ids) : 1f / ids;

    /// <summary>Working memory of <see cref="HeadScores"/>.</summary>
    public sealed class Scratch(CompactWeights weights)
    {
        public float[] Pooled { get; } = new float[weights.Config.Dim];
        public float[] ConvMax { get; } = new float[weights.Config.ConvFilters];
        public int[] ConvArgMax { get; } = new int[weights.Config.ConvFilters];
        public float[] Scores { get; } = new float[weights.Heads];
        public float[] EmotionScores { get; } = new float[weights.Emotions];
    }

    /// <summary>The emotion head's raw scores (no temperature) for one window of ids, into <c>scratch.EmotionScores</c>.</summary>
    public void EmotionScores(ReadOnlySpan<int> ids, Scratch scratch)
    {
        int emotions = Emotions;
        var scores = scratch.EmotionScores;
        EmotionBias.CopyTo(scores, 0);
        if (ids.IsEmpty) return;
        float scale = PoolingScale(ids.Length);
        foreach (int id in ids)
        {
            long row = (long)EmotionRow(id) * emotions;
            for (int e = 0; e < emotions; e++) scores[e] += EmotionTable[row + e] * scale;
        }
    }

    /// <summary>
    /// The heads' raw scores (no temperature) for one window of ids, into <c>scratch.Scores</c>; the pooled embedding,
    /// each filter's maximum and where it was are left in <paramref name="scratch"/> for training.
    /// </summary>
    public void HeadScores(ReadOnlySpan<int> ids, Scratch scratch)
    {
        var config = Config;
        int heads = Heads, dim = config.Dim, filters = config.ConvFilters, width = config.ConvWidth;
        var scores = scratch.Scores;
        Bias.CopyTo(scores, 0);
        if (ids.IsEmpty) return;
        int buckets = config.Buckets, ngrams = ids.Length;
        // Lexicon ids (past the buckets) are the emotion head's: neither summed nor counted here (dim is 0 with a lexicon).
        if (config.EmotionLexiconClasses > 0)
            foreach (int id in ids) if (id >= buckets) ngrams--;
        if (ngrams == 0) return;
        float scale = PoolingScale(ngrams);
        foreach (int id in ids)
        {
            if (id >= buckets) continue;
            for (int h = 0; h < heads; h++) scores[h] += Linear[(long)id * heads + h] * scale;
        }

        if (dim == 0) return;
        var pooled = scratch.Pooled.AsSpan();
        pooled.Clear();
        foreach (int id in ids) Add(pooled, Embeddings.AsSpan(EmbeddingRow(id) * dim, dim), scale);
        for (int h = 0; h < heads; h++) scores[h] += Dot(Output.AsSpan(h * dim, dim), pooled);

        if (filters == 0) return;
        for (int f = 0; f < filters; f++)
        {
            float best = 0;
            int at = -1;
            var kernel = ConvKernel.AsSpan(f * width * dim, width * dim);
            for (int j = 0; j < ids.Length; j++)
            {
                float a = ConvBias[f];
                for (int t = 0; t < width && j + t < ids.Length; t++)
                    a += Dot(kernel.Slice(t * dim, dim), Embeddings.AsSpan(EmbeddingRow(ids[j + t]) * dim, dim));
                if (a > best) { best = a; at = j; }
            }
            scratch.ConvMax[f] = best;
            scratch.ConvArgMax[f] = at;
        }
        for (int h = 0; h < heads; h++) scores[h] += Dot(ConvOutput.AsSpan(h * filters, filters), scratch.ConvMax);
    }

    /// <summary>
    /// The logits of one window of ids (<see cref="Outputs"/> of them: the sentiment labels', then the emotions'), as
    /// the graph computes them (training, evaluation during training, tests).
    /// </summary>
    public void Logits(ReadOnlySpan<int> ids, Span<float> logits, Scratch scratch)
    {
        HeadScores(ids, scratch);
        ScoresToLogits(Config, scratch.Scores, logits);
        if (Emotions == 0) return;
        EmotionScores(ids, scratch);
        float t = Config.EmotionTemperature;
        for (int e = 0; e < Emotions; e++) logits[Labels + e] = scratch.EmotionScores[e] / t;
    }

    /// <summary>
    /// Head scores to label logits (whose softmax is the label probabilities): each score divided by its temperature,
    /// then log-probabilities as <see cref="CompactConfig.Output"/> describes.
    /// </summary>
    public static void ScoresToLogits(CompactConfig config, ReadOnlySpan<float> scores, Span<float> logits)
    {
        float polarity = scores[0] / Temperature(config, 0);
        if (config.Labels.Count == 2)
        {
            logits[0] = -polarity / 2;
            logits[1] = polarity / 2;
            return;
        }
        float opinion = scores[1] / Temperature(config, 1);
        float logOpinion = -Softplus(-opinion);
        logits[0] = logOpinion - Softplus(polarity);
        logits[1] = -Softplus(opinion);
        logits[2] = logOpinion - Softplus(-polarity);
    }

    public static float Temperature(CompactConfig config, int head) => config.HeadTemperatures.Count > head ? config.HeadTemperatures[head] : 1f;

    /// <summary>log(1 + e^x) without overflow.</summary>
    public static float Softplus(float x) => x > 0 ? x + MathF.Log(1 + MathF.Exp(-x)) : MathF.Log(1 + MathF.Exp(x));

    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0, n = a.Length, width = System.Numerics.Vector<float>.Count;
        var sum = System.Numerics.Vector<float>.Zero;
        for (; i <= n - width; i += width) sum += new System.Numerics.Vector<float>(a[i..]) * new System.Numerics.Vector<float>(b[i..]);
        float total = System.Numerics.Vector.Sum(sum);
        for (; i < n; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary><paramref name="target"/> += <paramref name="scale"/> · <paramref name="values"/>.</summary>
    internal static void Add(Span<float> target, ReadOnlySpan<float> values, float scale)
    {
        int i = 0, n = target.Length, width = System.Numerics.Vector<float>.Count;
        for (; i <= n - width; i += width)
            (new System.Numerics.Vector<float>(target[i..]) + new System.Numerics.Vector<float>(values[i..]) * scale).CopyTo(target[i..]);
        for (; i < n; i++) target[i] += values[i] * scale;
    }
}
