namespace ZhSentiment.Graph;

/// <summary>
/// The naming conventions of BERT classifier checkpoints, as one table. Tensors are asked for by their
/// Hugging Face name without the backbone prefix (<c>encoder.layer.0.attention.self.query.weight</c>); every
/// spelling a supported checkpoint may use for it is tried in order.
/// </summary>
internal static class BertWeightNames
{
    /// <summary>
    /// The backbone prefix of a model type's sequence classifier: HF <c>BertForSequenceClassification</c> and ModelScope
    /// <c>SbertForSequenceClassification</c> nest the encoder under <c>bert.</c>, <c>ErnieForSequenceClassification</c>
    /// under <c>ernie.</c>. A bare backbone state dict has none, which is tried last.
    /// </summary>
    private static string ArchitecturePrefix(string modelType) => modelType == "ernie" ? "ernie." : "bert.";

    /// <summary>Head prefixes: HF puts the classifier at the top level; ModelScope task models nest it under <c>head.</c>.</summary>
    private static readonly string[] HeadPrefixes = ["", "head."];

    /// <summary>TensorFlow-era LayerNorm names kept by converted Google BERT and AliceMind StructBERT checkpoints.</summary>
    private static readonly (string Suffix, string Alias)[] SuffixAliases =
    [
        ("LayerNorm.weight", "LayerNorm.gamma"),
        ("LayerNorm.bias", "LayerNorm.beta"),
    ];

    /// <summary>The names to look up for a tensor, most common first.</summary>
    /// <param name="name">HF name without prefix.</param>
    /// <param name="backbone">True for embeddings/encoder/pooler tensors, false for the classification head.</param>
    /// <param name="configPrefix">A <c>base_model_prefix</c> from config.json, tried first when given.</param>
    /// <param name="modelType">config.json's <c>model_type</c>, which names the usual prefix.</param>
    public static IEnumerable<string> Candidates(string name, bool backbone, string? configPrefix, string modelType = "bert")
    {
        var spellings = new List<string> { name };
        foreach (var (suffix, alias) in SuffixAliases)
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                spellings.Add(name[..^suffix.Length] + alias);

        if (!backbone) return HeadPrefixes.SelectMany(p => spellings.Select(s => p + s));

        var prefixes = new List<string>();
        if (!string.IsNullOrEmpty(configPrefix)) prefixes.Add(configPrefix + ".");
        foreach (var p in new[] { ArchitecturePrefix(modelType), "" })
            if (!prefixes.Contains(p)) prefixes.Add(p);
        return prefixes.SelectMany(p => spellings.Select(s => p + s));
    }
}
