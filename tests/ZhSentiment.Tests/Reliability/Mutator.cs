using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZhSentiment.Tests.Reliability;

/// <summary>Seeded mutations of model files: raw byte damage, and JSON-aware edits that keep the file parseable.</summary>
internal sealed class Mutator(int seed)
{
    private static readonly string[] Values =
    [
        "0", "-1", "1", "2", "2147483647", "2147483648", "-2147483648", "9007199254740993", "1e308", "-1e308", "1.5", "1e-300",
        "\"\"", "\"x\"", "\"gelu\"", "\"[UNK]\"", "null", "true", "false", "[]", "{}", "[1, 2]", "{\"0\": \"a\"}", "{\"type\": \"WordPiece\"}",
        "\"" + new string('好', 10_000) + "\"", new string('[', 200) + new string(']', 200),
    ];

    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 1024 };

    public Random Random { get; } = new(seed);

    /// <summary>Flips bits, overwrites a run (with random bytes or with 0xFF/0x7F that make lengths huge), or truncates.</summary>
    public byte[] Bytes(byte[] original)
    {
        var bytes = (byte[])original.Clone();
        if (bytes.Length == 0) return bytes;
        switch (Random.Next(3))
        {
            case 0:
                for (int i = Random.Next(1, 5); i > 0; i--) bytes[Random.Next(bytes.Length)] ^= (byte)(1 << Random.Next(8));
                return bytes;
            case 1:
                int at = Random.Next(bytes.Length), run = Math.Min(Random.Next(1, 9), bytes.Length - at);
                if (Random.Next(2) == 0) Random.NextBytes(bytes.AsSpan(at, run));
                else bytes.AsSpan(at, run).Fill(Random.Next(2) == 0 ? (byte)0xFF : (byte)0x7F);
                return bytes;
            default:
                return bytes[..Random.Next(bytes.Length)];
        }
    }

    /// <summary>A few JSON-aware edits (replace a value with an odd one, delete a member, swap in a sibling), or byte damage.</summary>
    public byte[] Json(string original)
    {
        if (Random.Next(4) == 0) return Bytes(Encoding.UTF8.GetBytes(original));
        var root = JsonNode.Parse(original, documentOptions: Deep)!;
        for (int edits = Random.Next(1, 4); edits > 0; edits--)
        {
            var slots = new List<(JsonNode Parent, object Key)>();
            Collect(root, slots);
            if (slots.Count == 0) break;
            var (parent, key) = slots[Random.Next(slots.Count)];
            var value = Random.Next(5) == 0 ? null : JsonNode.Parse(Values[Random.Next(Values.Length)], documentOptions: Deep);
            switch (parent, key)
            {
                case (JsonObject o, string name):
                    if (value is null) o.Remove(name);
                    else o[name] = value;
                    break;
                case (JsonArray a, int index):
                    if (value is null) a.RemoveAt(index);
                    else a[index] = value;
                    break;
            }
        }
        var json = root.ToJsonString();
        if (Random.Next(4) == 0)
        {
            // A lone surrogate escape after some quote: inside a name or a string, or breaking the syntax.
            var quotes = Enumerable.Range(0, json.Length).Where(i => json[i] == '"').ToArray();
            if (quotes.Length > 0) json = json.Insert(quotes[Random.Next(quotes.Length)] + 1, "\\ud800");
        }
        return Encoding.UTF8.GetBytes(json);
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    slots.Add((o, name));
                    if (child is not null) Collect(child, slots);
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    slots.Add((a, i));
                    if (a[i] is { } child) Collect(child, slots);
                }
                break;
        }
    }

    /// <summary>Text that tokenizers find awkward: mixed scripts, surrogates (paired and lone), marks, controls, long words.</summary>
    public string Text()
    {
        var text = new StringBuilder();
        for (int i = Random.Next(0, 200); i > 0; i--)
        {
            switch (Random.Next(10))
            {
                case 0: text.Append((char)Random.Next(0xD800, 0xE000)); break; // a lone surrogate half
                case 1: text.Append(char.ConvertFromUtf32(Random.Next(0x1F300, 0x1FAFF))); break;
                case 2: text.Append((char)Random.Next(0x300, 0x370)); break; // combining marks
                case 3: text.Append((char)Random.Next(0, 0x20)); break;
                case 4: text.Append((char)Random.Next(0x4E00, 0x9FFF)); break;
                case 5: text.Append(new string('a', Random.Next(1, 300))); break; // longer than max_input_chars_per_word
                case 6: text.Append("\u200B\u200D\uFEFF\u202E\u00A0\u3000"[Random.Next(6)]); break;
                case 7: text.Append("[CLS][SEP][UNK][PAD][MASK]##"[Random.Next(27)..]); break;
                case 8: text.Append(char.ConvertFromUtf32(Random.Next(0x10000, 0x10FFFF))); break;
                default: text.Append((char)Random.Next(0x20, 0x3000)); break;
            }
        }
        return text.ToString();
    }
}
