namespace ZhSentiment.Graph;

/// <summary>
/// The naming conventions of BERT classifier checkpoints, as one table. Tensors are asked for by their
/// Hugging Face name without the backbone prefix (<c>encoder.layer.0.attention.self.query.weight</c>); every
/// spelling a supported checkpoint may use for it is tried in order.
/// </summary>
internal static class BertWeightNames
{
    /// <summary>
    /// Backbone prefixes: HF <c>BertForSequenceClassification</c> and ModelScope <c>SbertForSequenceClassification</c>
    /// both nest the encoder under <c>bert.</c>; a bare <c>BertModel</c> state dict has none.
    /// </summary>
    private static readonly string[] BackbonePrefixes = ["bert.", ""];

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
    public static IEnumerable<string> Candidates(string name, bool backbone, string? configPrefix)
    {
        var spellings = new List<string> { name };
        foreach (var (suffix, alias) in SuffixAliases)
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                spellings.Add(name[..^suffix.Length] + alias);

        if (!backbone) return HeadPrefixes.SelectMany(p => spellings.Select(s => p + s));

        var prefixes = new List<string>();
        if (!string.IsNullOrEmpty(configPrefix)) prefixes.Add(configPrefix + ".");
        foreach (var p in BackbonePrefixes)
            if (!prefixes.Contains(p)) prefixes.Add(p);
        return prefixes.SelectMany(p => spellings.Select(s => p + s));
    }
}
