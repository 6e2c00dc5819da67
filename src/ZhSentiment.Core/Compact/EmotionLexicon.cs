using System.Buffers.Binary;
using System.Text;

namespace ZhSentiment.Compact;

/// <summary>
/// Words of 2–4 characters with an emotion class each (e.g. DUTIR's 21 classes: 快乐, 愤怒, 恐惧…), read by the
/// emotion head only: where a word occurs, the featurizer adds its class as one more id, so that every word of a class
/// shares what the class learned (a word the emotion data never showed still counts). The model keeps a word's hash,
/// not the word: the file is a table of keys, as the n-gram tables are, and the lexicon itself stays outside the model.
/// </summary>
public sealed class EmotionLexicon
{
    public const string FileName = "emotion_lexicon.bin";
    public const int MinWord = 2, MaxWord = 4;
    private const uint Magic = 0x5845_4C5A; // "ZLEX"

    // Open addressing, linear probing; a key of 0 marks an empty slot (keys are never 0, see Key).
    private readonly uint[] _keys;
    private readonly byte[] _classes;
    private readonly int _mask;

    // One bit per key of a word's first two characters (modulo their number): most positions of a text start no word,
    // and one bit says so where three probes of the table would.
    private const int PrefixBits = 1 << 18;
    private readonly ulong[] _prefixes;

    private EmotionLexicon(int classes, IReadOnlyDictionary<uint, byte> entries, ulong[] prefixes)
    {
        Classes = classes;
        _prefixes = prefixes;
        Count = entries.Count;
        int capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, entries.Count * 4));
        _keys = new uint[capacity];
        _classes = new byte[capacity];
        _mask = capacity - 1;
        foreach (var (key, cls) in entries.OrderBy(e => e.Key))
        {
            int slot = (int)(key & _mask);
            while (_keys[slot] != 0) slot = (slot + 1) & _mask;
            _keys[slot] = key;
            _classes[slot] = cls;
        }
    }

    /// <summary>Number of classes: a word's class is one of <c>0..Classes-1</c>.</summary>
    public int Classes { get; }

    /// <summary>Words (distinct keys) in the lexicon.</summary>
    public int Count { get; }

    /// <summary>
    /// The class of the longest word (2–4 characters) that <paramref name="text"/> starts with, or −1: the featurizer's
    /// question at each position.
    /// </summary>
    public int ClassAt(ReadOnlySpan<int> text)
    {
        if (text.Length < MinWord || !MayStart(Key(text[..MinWord]))) return -1;
        for (int n = Math.Min(MaxWord, text.Length); n >= MinWord; n--)
        {
            int cls = ClassOf(text[..n]);
            if (cls >= 0) return cls;
        }
        return -1;
    }

    private bool MayStart(uint prefixKey) => (_prefixes[(prefixKey & (PrefixBits - 1)) >> 6] & (1UL << (int)(prefixKey & 63))) != 0;

    private static void MarkPrefix(ulong[] prefixes, uint prefixKey) => prefixes[(prefixKey & (PrefixBits - 1)) >> 6] |= 1UL << (int)(prefixKey & 63);

    /// <summary>The class of the word that is exactly <paramref name="codePoints"/>, or −1.</summary>
    public int ClassOf(ReadOnlySpan<int> codePoints)
    {
        uint key = Key(codePoints);
        for (int slot = (int)(key & _mask); ; slot = (slot + 1) & _mask)
        {
            uint k = _keys[slot];
            if (k == key) return _classes[slot];
            if (k == 0) return -1;
        }
    }

    /// <summary>FNV-1a over the code points, mixed with the length as the featurizer mixes an n-gram's; never 0.</summary>
    public static uint Key(ReadOnlySpan<int> codePoints)
    {
        uint hash = 2166136261;
        foreach (int c in codePoints) hash = (hash ^ (uint)c) * 16777619;
        hash = NgramFeaturizer.Mix(hash, codePoints.Length);
        return hash == 0 ? 1 : hash;
    }

    /// <summary>
    /// A lexicon from a tab-separated file with a header: the word in the column named <c>词语</c> or <c>word</c> (else
    /// the first), its class in the column named <c>情感分类</c> or <c>class</c> (else the second). Words are read as the
    /// featurizer reads text (<see cref="NgramFeaturizer.Normalize"/>); words outside 2–4 characters are skipped, and a
    /// word listed twice keeps its first class. Classes are numbered in order of first appearance.
    /// </summary>
    public static EmotionLexicon FromTable(string path, bool foldTraditional, out IReadOnlyList<string> classNames)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = (reader.ReadLine() ?? throw new InvalidDataException($"{path}: is empty; an emotion lexicon has a header and one word per line")).Split('\t');
        int wordColumn = Column(header, ["词语", "word"], 0), classColumn = Column(header, ["情感分类", "class"], 1);
        var names = new List<string>();
        var entries = new Dictionary<uint, byte>();
        var prefixes = new ulong[PrefixBits / 64];
        var codePoints = new int[64];
        int line = 1;
        for (string? text; (text = reader.ReadLine()) is not null;)
        {
            line++;
            var fields = text.Split('\t');
            if (fields.Length <= Math.Max(wordColumn, classColumn)) throw new InvalidDataException($"{path}:{line}: has {fields.Length} columns; the word and class columns are {wordColumn + 1} and {classColumn + 1}");
            string name = fields[classColumn].Trim();
            if (name.Length == 0) continue;
            int length = NgramFeaturizer.Normalize(fields[wordColumn].Trim(), ref codePoints, foldTraditional);
            if (length is < MinWord or > MaxWord) continue;
            uint key = Key(codePoints.AsSpan(0, length));
            // Marked even for a word whose key an earlier word holds: the text's word is then found, with that class.
            MarkPrefix(prefixes, Key(codePoints.AsSpan(0, MinWord)));
            if (entries.ContainsKey(key)) continue;
            int cls = names.IndexOf(name);
            if (cls < 0)
            {
                if (names.Count == byte.MaxValue) throw new InvalidDataException($"{path}:{line}: more than {byte.MaxValue} classes");
                names.Add(name);
                cls = names.Count - 1;
            }
            entries.Add(key, (byte)cls);
        }
        if (entries.Count == 0) throw new InvalidDataException($"{path}: holds no word of {MinWord}–{MaxWord} characters with a class");
        classNames = names;
        return new EmotionLexicon(names.Count, entries, prefixes);
    }

    private static int Column(string[] header, string[] names, int fallback)
    {
        int i = Array.FindIndex(header, h => names.Contains(h.Trim(), StringComparer.OrdinalIgnoreCase));
        return i >= 0 ? i : fallback;
    }

    /// <summary>
    /// Writes "ZLEX", classes, count, the prefix bits (<c>PrefixBits / 8</c> bytes), then (key, class) in key order;
    /// little-endian.
    /// </summary>
    public void Save(string path)
    {
        using var stream = File.Create(path);
        Span<byte> buffer = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], Classes);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[8..], Count);
        stream.Write(buffer);
        foreach (ulong bits in _prefixes)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, bits);
            stream.Write(buffer[..8]);
        }
        var slots = Enumerable.Range(0, _keys.Length).Where(i => _keys[i] != 0).OrderBy(i => _keys[i]);
        foreach (int i in slots)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, _keys[i]);
            buffer[4] = _classes[i];
            stream.Write(buffer[..5]);
        }
    }

    public static EmotionLexicon Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ModelFormatException(path, $"cannot be read: {e.Message}", e); }
        if (bytes.Length < 12 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic) throw new ModelFormatException(path, "is not an emotion lexicon (ZLEX) file");
        int classes = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)), count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        const int header = 12 + PrefixBits / 8;
        if (classes is < 1 or > byte.MaxValue || count < 1 || bytes.Length != header + 5L * count)
            throw new ModelFormatException(path, $"is damaged: {classes} classes and {count} words do not match its {bytes.Length} bytes");
        var prefixes = new ulong[PrefixBits / 64];
        for (int i = 0; i < prefixes.Length; i++) prefixes[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(12 + 8 * i));
        var entries = new Dictionary<uint, byte>(count);
        for (int i = 0; i < count; i++)
        {
            var entry = bytes.AsSpan(header + 5 * i, 5);
            uint key = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            if (key == 0 || entry[4] >= classes || !entries.TryAdd(key, entry[4])) throw new ModelFormatException(path, $"is damaged at word {i}");
        }
        return new EmotionLexicon(classes, entries, prefixes);
    }
}
