using System.Collections;

namespace ZhSentiment.Data;

/// <summary>A table's column names in order, with lookup by name (the first column of that name). Immutable.</summary>
public sealed class TableColumns : IReadOnlyList<string>
{
    private readonly string[] _names;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public TableColumns(IEnumerable<string> names)
    {
        _names = [.. names];
        for (int i = 0; i < _names.Length; i++) _index.TryAdd(_names[i], i);
    }

    public static TableColumns Empty { get; } = new([]);

    public int Count => _names.Length;

    public string this[int index] => _names[index];

    /// <summary>The index of the column named <paramref name="name"/> (exact, case-sensitive), or -1.</summary>
    public int IndexOf(string name) => _index.GetValueOrDefault(name, -1);

    internal int IndexOf(ReadOnlySpan<char> name) => _index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var i) ? i : -1;

    internal TableColumns With(string name) => new([.. _names, name]);

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_names).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _names.GetEnumerator();

    public override string ToString() => string.Join(", ", _names);
}
