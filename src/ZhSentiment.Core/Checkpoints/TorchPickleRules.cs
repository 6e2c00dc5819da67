namespace ZhSentiment.Checkpoints;

/// <summary>
/// What a <c>torch.save</c> pickle of a state dict may contain, and nothing more: the globals that rebuild tensors
/// and parameters, <c>collections.OrderedDict</c>, the storage classes, and storage references as persistent ids.
/// Any other global (<c>os.system</c>, <c>builtins.eval</c>, <c>torch.storage._load_from_bytes</c>, ...) is refused
/// by name the moment the pickle imports it. Nothing is ever called: "calls" only build descriptions.
/// </summary>
internal sealed class TorchPickleRules(bool legacyFormat)
{
    private static readonly Dictionary<string, TensorDType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = TensorDType.Float32,
        ["HalfStorage"] = TensorDType.Float16,
        ["BFloat16Storage"] = TensorDType.BFloat16,
        ["DoubleStorage"] = TensorDType.Float64,
        ["LongStorage"] = TensorDType.Int64,
        ["IntStorage"] = TensorDType.Int32,
        ["ShortStorage"] = TensorDType.Int16,
        ["CharStorage"] = TensorDType.Int8,
        ["ByteStorage"] = TensorDType.UInt8,
        ["BoolStorage"] = TensorDType.Bool,
    };

    private static readonly HashSet<(string, string)> Functions =
    [
        ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_tensor"),
        ("torch._utils", "_rebuild_parameter"),
        ("torch._utils", "_rebuild_parameter_with_state"),
    ];

    private readonly Dictionary<string, TorchStorage> _storages = new(StringComparer.Ordinal);

    /// <summary>Every storage the pickle referred to, by key.</summary>
    public IReadOnlyDictionary<string, TorchStorage> Storages => _storages;

    public object Global(string module, string name)
    {
        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal))
        {
            return StorageTypes.TryGetValue(name, out var dtype)
                ? new StorageType(dtype)
                : throw new InvalidDataException($"holds tensors of an unsupported element type (torch.{name})");
        }
        if (Functions.Contains((module, name))) return new PickleGlobal(module, name);
        throw new InvalidDataException(
            $"refused: the pickle imports {module}.{name}, which torch.load would run; a state dict needs only tensor-rebuilding globals");
    }

    /// <summary>
    /// A storage reference: <c>('storage', FloatStorage, key, location, numel)</c> in the zip format, with a sixth
    /// item (storage-view metadata, always None since PyTorch 0.4) in the legacy format.
    /// </summary>
    public object PersistentLoad(object? pid)
    {
        if (pid is not PickleTuple { Items: var items } || items.Length == 0 || items[0] is not "storage")
            throw new InvalidDataException($"persistent id {PickleDescription.Of(pid)} is not a storage reference");
        if (items.Length != (legacyFormat ? 6 : 5)
            || items[1] is not StorageType type || items[2] is not string key || items[3] is not string || items[4] is not long count)
            throw new InvalidDataException("malformed storage reference");
        if (legacyFormat && items[5] is not null)
            throw new InvalidDataException("uses storage views (written by PyTorch before 0.4), which are not supported");
        if (count < 0 || count > Array.MaxLength / CheckpointTensor.ElementSize(type.DType))
            throw new InvalidDataException($"storage '{key}' declares {count} elements");
        if (_storages.TryGetValue(key, out var known))
        {
            if (known.DType != type.DType || known.ElementCount != count)
                throw new InvalidDataException($"storage '{key}' is declared twice with different types or sizes");
            return known;
        }
        return _storages[key] = new TorchStorage(key, type.DType, count);
    }

    public object? Reduce(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal function)
            throw new InvalidDataException($"refused: the pickle calls {PickleDescription.Of(callable)}");
        return (function.Name, args.Length) switch
        {
            ("OrderedDict", 0) => new PickleDict(),
            ("_rebuild_tensor_v2", 6 or 7) or ("_rebuild_tensor", 4) => View(args),
            ("_rebuild_parameter", 3) or ("_rebuild_parameter_with_state", 4) =>
                args[0] as TorchTensorView ?? throw new InvalidDataException($"{function} of a {PickleDescription.Of(args[0])}"),
            _ => throw new InvalidDataException($"{function} called with {args.Length} arguments"),
        };
    }

    /// <summary>BUILD sets an object's state; only a dict's (an OrderedDict's <c>_metadata</c>) is accepted, and dropped.</summary>
    public void Build(object? target, object? state)
    {
        if (target is not PickleDict) throw new InvalidDataException($"refused: the pickle sets the state of a {PickleDescription.Of(target)}");
    }

    private static TorchTensorView View(object?[] args)
    {
        if (args[0] is not TorchStorage storage || args[1] is not long offset
            || args[2] is not PickleTuple size || args[3] is not PickleTuple stride)
            throw new InvalidDataException("malformed tensor: expected (storage, offset, size, stride, ...)");
        return new TorchTensorView(storage, offset, Longs(size), Longs(stride));
    }

    private static long[] Longs(PickleTuple tuple) =>
        tuple.Items.Select(i => i as long? ?? throw new InvalidDataException("tensor size or stride is not an integer")).ToArray();

    private sealed record StorageType(TensorDType DType)
    {
        public override string ToString() => $"torch storage class ({DType})";
    }
}
