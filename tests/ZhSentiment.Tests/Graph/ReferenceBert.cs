using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;

namespace ZhSentiment.Tests.Graph;

/// <summary>
/// BERT sequence classification written out plainly (loops, double accumulation), following Hugging Face's
/// <c>BertForSequenceClassification</c> in eval mode: the oracle the ONNX graphs are checked against.
/// Masked keys are left out of the softmax entirely.
/// </summary>
internal sealed class ReferenceBert(BertConfig config, IReadOnlyDictionary<string, CheckpointTensor> weights)
{
    private readonly Dictionary<string, float[]> _cache = [];

    private float[] W(string name)
    {
        if (!_cache.TryGetValue(name, out var v)) _cache[name] = v = weights["bert." + name].ToFloat32();
        return v;
    }

    /// <summary>The logits of one unpadded row.</summary>
    public double[] Logits(int[] ids, int[]? typeIds = null)
    {
        int s = ids.Length, h = config.HiddenSize;
        var x = new double[s][];
        for (int t = 0; t < s; t++)
        {
            x[t] = new double[h];
            int type = typeIds?[t] ?? 0;
            for (int i = 0; i < h; i++)
                x[t][i] = W("embeddings.word_embeddings.weight")[ids[t] * h + i]
                    + W("embeddings.position_embeddings.weight")[t * h + i]
                    + W("embeddings.token_type_embeddings.weight")[type * h + i];
            x[t] = LayerNorm(x[t], "embeddings.LayerNorm");
        }

        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string p = $"encoder.layer.{layer}.";
            var q = x.Select(r => Linear(r, p + "attention.self.query")).ToArray();
            var k = x.Select(r => Linear(r, p + "attention.self.key")).ToArray();
            var v = x.Select(r => Linear(r, p + "attention.self.value")).ToArray();
            int heads = config.NumAttentionHeads, d = config.HeadSize;
            var context = new double[s][];
            for (int t = 0; t < s; t++)
            {
                context[t] = new double[h];
                for (int head = 0; head < heads; head++)
                {
                    var scores = new double[s];
                    double max = double.NegativeInfinity;
                    for (int u = 0; u < s; u++)
                    {
                        double dot = 0;
                        for (int i = 0; i < d; i++) dot += q[t][head * d + i] * k[u][head * d + i];
                        scores[u] = dot / Math.Sqrt(d);
                        max = Math.Max(max, scores[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u < s; u++) sum += scores[u] = Math.Exp(scores[u] - max);
                    for (int u = 0; u < s; u++)
                        for (int i = 0; i < d; i++)
                            context[t][head * d + i] += scores[u] / sum * v[u][head * d + i];
                }
            }
            var attended = new double[s][];
            for (int t = 0; t < s; t++)
                attended[t] = LayerNorm(Add(Linear(context[t], p + "attention.output.dense"), x[t]), p + "attention.output.LayerNorm");
            for (int t = 0; t < s; t++)
            {
                var up = Linear(attended[t], p + "intermediate.dense").Select(Activation).ToArray();
                x[t] = LayerNorm(Add(Linear(up, p + "output.dense"), attended[t]), p + "output.LayerNorm");
            }
        }

        var pooled = Linear(x[0], "pooler.dense").Select(Math.Tanh).ToArray();
        var cw = weights["classifier.weight"].ToFloat32();
        var cb = weights["classifier.bias"].ToFloat32();
        return Linear(pooled, cw, cb);
    }

    private double Activation(double x) => config.HiddenAct switch
    {
        BertActivation.Gelu => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        BertActivation.GeluTanh => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        _ => Math.Max(0, x),
    };

    private double[] Linear(double[] input, string name) => Linear(input, W(name + ".weight"), W(name + ".bias"));

    /// <summary>PyTorch nn.Linear: weight is [out, in].</summary>
    private static double[] Linear(double[] input, float[] weight, float[] bias)
    {
        var y = new double[bias.Length];
        for (int o = 0; o < y.Length; o++)
        {
            double acc = bias[o];
            for (int i = 0; i < input.Length; i++) acc += weight[o * input.Length + i] * input[i];
            y[o] = acc;
        }
        return y;
    }

    private double[] LayerNorm(double[] x, string name)
    {
        var gamma = W(name + ".weight");
        var beta = W(name + ".bias");
        double mean = x.Average();
        double variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
        double inv = 1 / Math.Sqrt(variance + config.LayerNormEps);
        return x.Select((v, i) => (v - mean) * inv * gamma[i] + beta[i]).ToArray();
    }

    private static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    /// <summary>erf to ~1e-15: Maclaurin series below 4, the asymptotic expansion of erfc above.</summary>
    internal static double Erf(double x)
    {
        double z = Math.Abs(x);
        double result;
        if (z < 4)
        {
            double term = z, sum = z;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double series = 1, term = 1;
            for (int n = 1; n < 6; n++)
            {
                term *= -(2 * n - 1) / (2 * z * z);
                series += term;
            }
            result = 1 - Math.Exp(-z * z) / (z * Math.Sqrt(Math.PI)) * series;
        }
        return x < 0 ? -result : result;
    }
}
