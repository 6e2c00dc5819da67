namespace ZhSentiment.Text;

/// <summary>
/// A trie over the UTF-16 chars of a Unigram vocabulary, for the common-prefix search of the Viterbi pass. Nodes are
/// numbered breadth-first, so a node's children are one contiguous, label-sorted range: three flat arrays, no
/// per-node objects, even for XLM-R's 250,002 pieces.
/// </summary>
internal sealed class PieceTrie
{
    public const int Root = 0;

    private readonly int[] _firstChild; // children of node n: nodes _firstChild[n] .. _firstChild[n + 1] - 1
    private readonly char[] _label;     // the char on the edge into a node
    private readonly int[] _value;      // the piece id a node completes, or -1

    public PieceTrie(IEnumerable<KeyValuePair<string, int>> pieces)
    {
        var sorted = pieces.Where(p => p.Key.Length > 0).OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        var firstChild = new List<int>();
        var label = new List<char> { '\0' };
        var value = new List<int> { -1 };
        // Each node covers the run of sorted pieces that share its prefix: [Low, High) at Depth chars.
        var ranges = new List<(int Low, int High, int Depth)> { (0, sorted.Length, 0) };
        for (int node = 0; node < ranges.Count; node++)
        {
            var (low, high, depth) = ranges[node];
            if (low < high && sorted[low].Key.Length == depth) value[node] = sorted[low++].Value;
            firstChild.Add(ranges.Count);
            while (low < high)
            {
                char c = sorted[low].Key[depth];
                int end = low + 1;
                while (end < high && sorted[end].Key[depth] == c) end++;
                ranges.Add((low, end, depth + 1));
                label.Add(c);
                value.Add(-1);
                low = end;
            }
        }
        firstChild.Add(ranges.Count);
        _firstChild = [.. firstChild];
        _label = [.. label];
        _value = [.. value];
    }

    /// <summary>Moves <paramref name="node"/> along the edge labelled <paramref name="c"/>; false when there is none.</summary>
    public bool TryStep(ref int node, char c)
    {
        int low = _firstChild[node], high = _firstChild[node + 1] - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            char m = _label[middle];
            if (m == c)
            {
                node = middle;
                return true;
            }
            if (m < c) low = middle + 1;
            else high = middle - 1;
        }
        return false;
    }

    /// <summary>The id of the piece that ends at <paramref name="node"/>, or -1.</summary>
    public int ValueOf(int node) => _value[node];
}
