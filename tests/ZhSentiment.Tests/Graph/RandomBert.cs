using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;

namespace ZhSentiment.Tests.Graph;

/// <summary>
/// A BERT classifier with random weights under Hugging Face names (<c>bert.</c> prefix). Weights are scaled so
/// activations stay of order one through the layers, which makes attention and GELU nonlinear enough for the
/// comparisons to mean something. Also compiled into tools/GraphBench.
/// </summary>
internal static class RandomBert
{
    public static BertConfig Config(int hidden, int heads, int intermediate, int layers, int vocab = 100, int maxPositions = 64,
        int labels = 2, BertActivation activation = BertActivation.Gelu) => new()
    {
        HiddenSize = hidden,
        NumAttentionHeads = heads,
        IntermediateSize = intermediate,
        NumHiddenLayers = layers,
        VocabSize = vocab,
        MaxPositionEmbeddings = maxPositions,
        TypeVocabSize = 2,
        HiddenAct = activation,
        Labels = Enumerable.Range(0, labels).Select(i => $"LABEL_{i}").ToArray(),
    };

    public static Dictionary<string, CheckpointTensor> Weights(BertConfig c, int seed, double attentionGain = 3)
    {
        var random = new Random(seed);
        var tensors = new Dictionary<string, CheckpointTensor>();
        int h = c.HiddenSize;

        void Add(string name, float[] values, params long[] shape) => tensors[name] = new CheckpointTensor(name, values, shape);
        float[] Uniform(int n, double scale, double offset = 0)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float)(offset + scale * (2 * random.NextDouble() - 1));
            return v;
        }
        void Linear(string name, int inFeatures, int outFeatures, double gain = 1.5)
        {
            Add(name + ".weight", Uniform(inFeatures * outFeatures, gain * Math.Sqrt(3.0 / inFeatures)), outFeatures, inFeatures);
            Add(name + ".bias", Uniform(outFeatures, 0.1), outFeatures);
        }
        void LayerNorm(string name)
        {
            Add(name + ".weight", Uniform(h, 0.2, 1), h);
            Add(name + ".bias", Uniform(h, 0.1), h);
        }

        Add("bert.embeddings.word_embeddings.weight", Uniform(c.VocabSize * h, 1), c.VocabSize, h);
        Add("bert.embeddings.position_embeddings.weight", Uniform(c.MaxPositionEmbeddings * h, 0.5), c.MaxPositionEmbeddings, h);
        Add("bert.embeddings.token_type_embeddings.weight", Uniform(c.TypeVocabSize * h, 0.5), c.TypeVocabSize, h);
        LayerNorm("bert.embeddings.LayerNorm");
        for (int layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            string p = $"bert.encoder.layer.{layer}.";
            // Larger query/key weights give peaked attention, so masking mistakes show.
            Linear(p + "attention.self.query", h, h, attentionGain);
            Linear(p + "attention.self.key", h, h, attentionGain);
            Linear(p + "attention.self.value", h, h);
            Linear(p + "attention.output.dense", h, h);
            LayerNorm(p + "attention.output.LayerNorm");
            Linear(p + "intermediate.dense", h, c.IntermediateSize);
            Linear(p + "output.dense", c.IntermediateSize, h);
            LayerNorm(p + "output.LayerNorm");
        }
        Linear("bert.pooler.dense", h, h);
        Linear("classifier", h, c.NumLabels);
        return tensors;
    }

    /// <summary>Random token ids in [1, vocab), starting with id 1 standing in for [CLS].</summary>
    public static int[] Tokens(Random random, int length, int vocab)
    {
        var ids = new int[length];
        ids[0] = 1;
        for (int i = 1; i < length; i++) ids[i] = random.Next(1, vocab);
        return ids;
    }
}
