namespace ZhSentiment.Checkpoints;

/// <summary>Finds the state dict in an unpickled <c>torch.save</c> object and turns its views into tensors.</summary>
internal static class TorchStateDict
{
    /// <summary>Keys under which training checkpoints nest the model's state dict (ModelScope, Lightning, fairseq, ...).</summary>
    private static readonly string[] NestingKeys = ["state_dict", "model", "module", "model_state_dict"];

    /// <summary>
    /// The named tensors of <paramref name="root"/>: a dict whose values are tensors, or such a dict one level
    /// down under a usual key (<c>{"state_dict": {...}, "optimizer": ...}</c>). Entries that are not tensors
    /// (epoch counters, metadata) are skipped.
    /// </summary>
    public static List<KeyValuePair<string, TorchTensorView>> Find(object? root)
    {
        if (root is not PickleDict dict) throw new InvalidDataException($"holds a {PickleDescription.Of(root)}, not a state dict");
        var tensors = Tensors(dict);
        if (tensors.Count > 0) return tensors;
        foreach (var key in NestingKeys)
        {
            if (dict[key] is PickleDict nested && Tensors(nested) is { Count: > 0 } inner) return inner;
        }
        var keys = string.Join(", ", dict.Entries.Take(8).Select(e => e.Key as string ?? PickleDescription.Of(e.Key)));
        throw new InvalidDataException($"holds no tensors (top-level keys: {(keys.Length > 0 ? keys : "none")})");
    }

    private static List<KeyValuePair<string, TorchTensorView>> Tensors(PickleDict dict)
    {
        var tensors = new List<KeyValuePair<string, TorchTensorView>>();
        foreach (var (key, value) in dict.Entries)
        {
            if (value is not TorchTensorView view) continue;
            if (key is not string name) throw new InvalidDataException($"a tensor is keyed by a {PickleDescription.Of(key)}, not a name");
            tensors.Add(new(name, view));
        }
        return tensors;
    }

    /// <summary>
    /// Materialises every view, fetching each storage once through <paramref name="readStorage"/> and dropping it
    /// once its tensors are built (for the zip format, at most one storage is held beside the finished tensors).
    /// </summary>
    public static Dictionary<string, CheckpointTensor> Materialize(
        List<KeyValuePair<string, TorchTensorView>> views, Func<TorchStorage, byte[]> readStorage)
    {
        var tensors = new CheckpointTensor[views.Count];
        foreach (var group in Enumerable.Range(0, views.Count).GroupBy(i => views[i].Value.Storage))
        {
            var bytes = readStorage(group.Key);
            foreach (int i in group)
            {
                var (name, view) = views[i];
                tensors[i] = new CheckpointTensor(name, view.Storage.DType, view.Shape, view.Materialize(bytes));
            }
        }
        return tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }
}
