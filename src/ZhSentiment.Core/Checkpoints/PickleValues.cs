namespace ZhSentiment.Checkpoints;

// Python objects as the restricted unpickler rebuilds them. Strings, integers (long or BigInteger), floats,
// bools, None (null), bytes (byte[]) and lists (List<object?>) use the plain .NET types.

/// <summary>A Python tuple.</summary>
internal sealed class PickleTuple(object?[] items)
{
    public object?[] Items { get; } = items;
}

/// <summary>A Python dict (or OrderedDict), in insertion order; a repeated string key replaces the value.</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<string, int> _stringKeys = new(StringComparer.Ordinal);

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    public void Set(object? key, object? value)
    {
        if (key is string s)
        {
            if (_stringKeys.TryGetValue(s, out int at))
            {
                _entries[at] = new(key, value);
                return;
            }
            _stringKeys[s] = _entries.Count;
        }
        _entries.Add(new(key, value));
    }

    public object? this[string key] => _stringKeys.TryGetValue(key, out int at) ? _entries[at].Value : null;
}

/// <summary>A module-level name the pickle refers to (GLOBAL), once the rules have allowed it.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>Names Python values in messages the way a Python user would.</summary>
internal static class PickleDescription
{
    public static string Of(object? value) => value switch
    {
        null => "None",
        string => "str",
        bool => "bool",
        long or System.Numerics.BigInteger => "int",
        double => "float",
        byte[] => "bytes",
        PickleTuple => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => g.ToString(),
        _ => value.ToString() ?? value.GetType().Name,
    };
}
