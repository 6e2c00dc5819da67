using System.Globalization;
using System.Text.RegularExpressions;

namespace ZhSentiment.Graph;

/// <summary>
/// The naming conventions of BERT-family classifier checkpoints, as one table. Tensors are asked for by their
/// Hugging Face BERT name without the backbone prefix (<c>encoder.layer.0.attention.self.query.weight</c>); each
/// architecture's name for it (transformers' modeling_distilbert, modeling_electra, modeling_albert,
/// modeling_xlm_roberta) and every
/// spelling a supported checkpoint may use is tried in order.
/// </summary>
internal static partial class BertWeightNames
{
    /// <summary>Head prefixes: HF puts the classifier at the top level; ModelScope task models nest it under <c>head.</c>.</summary>
    private static readonly string[] HeadPrefixes = ["", "head."];

    /// <summary>TensorFlow-era LayerNorm names kept by converted Google BERT and AliceMind StructBERT checkpoints.</summary>
    private static readonly (string Suffix, string Alias)[] SuffixAliases =
    [
        ("LayerNorm.weight", "LayerNorm.gamma"),
        ("LayerNorm.bias", "LayerNorm.beta"),
    ];

    /// <summary>DistilBERT's names for a layer's parts (<c>transformer.layer.N.…</c>).</summary>
    private static readonly Dictionary<string, string> DistilBertLayer = new()
    {
        ["attention.self.query"] = "attention.q_lin",
        ["attention.self.key"] = "attention.k_lin",
        ["attention.self.value"] = "attention.v_lin",
        ["attention.output.dense"] = "attention.out_lin",
        ["attention.output.LayerNorm"] = "sa_layer_norm",
        ["intermediate.dense"] = "ffn.lin1",
        ["output.dense"] = "ffn.lin2",
        ["output.LayerNorm"] = "output_layer_norm",
    };

    /// <summary>ALBERT's names for a layer's parts (<c>encoder.albert_layer_groups.G.albert_layers.0.…</c>).</summary>
    private static readonly Dictionary<string, string> AlbertLayer = new()
    {
        ["attention.self.query"] = "attention.query",
        ["attention.self.key"] = "attention.key",
        ["attention.self.value"] = "attention.value",
        ["attention.output.dense"] = "attention.dense",
        ["attention.output.LayerNorm"] = "attention.LayerNorm",
        ["intermediate.dense"] = "ffn",
        ["output.dense"] = "ffn_output",
        ["output.LayerNorm"] = "full_layer_layer_norm",
    };

    /// <summary>The names to look up for a tensor, most common first.</summary>
    /// <param name="name">HF BERT name without prefix; <c>embeddings.projection.*</c> for ELECTRA's and ALBERT's embedding projection.</param>
    /// <param name="backbone">True for embeddings/encoder/pooler tensors, false for the classification head.</param>
    /// <param name="config">The model: its type, its <c>base_model_prefix</c> (tried first when given), ALBERT's groups.</param>
    public static IEnumerable<string> Candidates(string name, bool backbone, BertConfig config)
    {
        (name, backbone) = Translate(name, backbone, config);
        var spellings = new List<string> { name };
        foreach (var (suffix, alias) in SuffixAliases)
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                spellings.Add(name[..^suffix.Length] + alias);

        if (!backbone) return HeadPrefixes.SelectMany(p => spellings.Select(s => p + s));

        var prefixes = new List<string>();
        if (!string.IsNullOrEmpty(config.BaseModelPrefix)) prefixes.Add(config.BaseModelPrefix + ".");
        foreach (var p in new[] { ArchitecturePrefix(config.ModelType), "" })
            if (!prefixes.Contains(p)) prefixes.Add(p);
        return prefixes.SelectMany(p => spellings.Select(s => p + s));
    }

    /// <summary>
    /// The attribute a model type's sequence classifier keeps its backbone under: <c>bert</c> (also ModelScope's
    /// <c>SbertForSequenceClassification</c>), <c>ernie</c>, <c>distilbert</c>, <c>electra</c>, <c>albert</c>, <c>roberta</c>
    /// (XLMRobertaForSequenceClassification).
    /// </summary>
    private static string ArchitecturePrefix(string modelType) => modelType switch
    {
        "ernie" or "distilbert" or "electra" or "albert" => modelType + ".",
        "xlm-roberta" => "roberta.",
        _ => "bert.",
    };

    /// <summary>A BERT name as the model type spells it, and whether it then belongs to the backbone.</summary>
    private static (string Name, bool Backbone) Translate(string name, bool backbone, BertConfig config)
    {
        switch (config.ModelType)
        {
            case "distilbert":
                if (name.StartsWith("pooler.dense.", StringComparison.Ordinal)) return ("pre_classifier." + name["pooler.dense.".Length..], false);
                return (Layer(name, DistilBertLayer, i => $"transformer.layer.{i}.") ?? name, backbone);
            case "electra":
                if (name.StartsWith("pooler.dense.", StringComparison.Ordinal)) return ("classifier.dense." + name["pooler.dense.".Length..], false);
                if (name.StartsWith("classifier.", StringComparison.Ordinal)) return ("classifier.out_proj." + name["classifier.".Length..], false);
                if (name.StartsWith("embeddings.projection.", StringComparison.Ordinal)) return ("embeddings_project." + name["embeddings.projection.".Length..], true);
                return (name, backbone);
            case "xlm-roberta":
                // RobertaClassificationHead: dense + tanh on <s>, then out_proj.
                if (name.StartsWith("pooler.dense.", StringComparison.Ordinal)) return ("classifier.dense." + name["pooler.dense.".Length..], false);
                if (name.StartsWith("classifier.", StringComparison.Ordinal)) return ("classifier.out_proj." + name["classifier.".Length..], false);
                return (name, backbone);
            case "albert":
                if (name.StartsWith("pooler.dense.", StringComparison.Ordinal)) return ("pooler." + name["pooler.dense.".Length..], true);
                if (name.StartsWith("embeddings.projection.", StringComparison.Ordinal)) return ("encoder.embedding_hidden_mapping_in." + name["embeddings.projection.".Length..], true);
                int perGroup = config.NumHiddenLayers / config.NumHiddenGroups;
                return (Layer(name, AlbertLayer, i => $"encoder.albert_layer_groups.{i / perGroup}.albert_layers.0.") ?? name, backbone);
            default:
                return (name, backbone);
        }
    }

    /// <summary>Renames <c>encoder.layer.N.PART.(weight|bias)</c> through <paramref name="parts"/>; null for other names.</summary>
    private static string? Layer(string name, Dictionary<string, string> parts, Func<int, string> layerPrefix)
    {
        var m = LayerName().Match(name);
        if (!m.Success || !parts.TryGetValue(m.Groups["part"].Value, out var part)) return null;
        return layerPrefix(int.Parse(m.Groups["layer"].Value, CultureInfo.InvariantCulture)) + part + "." + m.Groups["leaf"].Value;
    }

    [GeneratedRegex(@"^encoder\.layer\.(?<layer>\d+)\.(?<part>.+)\.(?<leaf>weight|bias)$")]
    private static partial Regex LayerName();
}
