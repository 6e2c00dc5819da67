namespace ZhSentiment.Compact;

/// <summary>
/// The compact model's parameters. Each n-gram row of <see cref="Table"/> holds <c>Dim</c> embedding values then one
/// weight per label; a window's rows are averaged, and the logits are
/// <c>Bias + Output · mean(embeddings) + mean(label weights)</c>: a bag-of-embeddings model and a linear n-gram model
/// summed in one table.
/// </summary>
public sealed class CompactWeights
{
    public CompactWeights(CompactConfig config)
    {
        Config = config;
        Table = new float[checked((long)config.Buckets * RowWidth)];
        Output = new float[Labels * config.Dim];
        Bias = new float[Labels];
    }

    public CompactConfig Config { get; }
    public int Labels => Config.Labels.Count;
    public int RowWidth => Config.Dim + Labels;

    /// <summary><c>[Buckets, Dim + Labels]</c>, row-major.</summary>
    public float[] Table { get; }

    /// <summary><c>[Labels, Dim]</c>, row-major.</summary>
    public float[] Output { get; }

    public float[] Bias { get; }

    /// <summary>Rounds the table to half precision, as it is stored in the graph.</summary>
    public void RoundTableToHalf()
    {
        for (int i = 0; i < Table.Length; i++) Table[i] = (float)(Half)Table[i];
    }

    /// <summary>The logits of one window of n-gram ids, computed directly (training, evaluation during training, tests).</summary>
    public void Logits(ReadOnlySpan<int> ids, Span<float> logits, Span<float> pooled)
    {
        int width = RowWidth, dim = Config.Dim;
        pooled = pooled[..width];
        pooled.Clear();
        foreach (int id in ids)
        {
            var row = Table.AsSpan(id * width, width);
            for (int k = 0; k < width; k++) pooled[k] += row[k];
        }
        float scale = 1f / Math.Max(ids.Length, 1);
        for (int k = 0; k < width; k++) pooled[k] *= scale;
        for (int l = 0; l < Labels; l++)
        {
            float sum = Bias[l] + pooled[dim + l];
            var w = Output.AsSpan(l * dim, dim);
            for (int d = 0; d < dim; d++) sum += w[d] * pooled[d];
            logits[l] = sum;
        }
    }
}
