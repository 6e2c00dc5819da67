using System.Globalization;
using System.Text;
using ZhSentiment.Inference;
using ZhSentiment.Text;

namespace ZhSentiment.Compact;

/// <summary>
/// The compact model's encoder: the normalized text's character n-grams, each hashed into one of
/// <see cref="CompactConfig.Buckets"/> rows of the model's table, in text order (so long texts split into windows
/// by position). Hashing needs no vocabulary file: loading reads nothing but the graph, and a model trained on any
/// data covers every n-gram (rare ones share rows harmlessly). With an <see cref="EmotionLexicon"/>, a lexicon word's
/// class follows the n-grams of the position where the word starts, as id <c>Buckets + class</c>: past the n-gram
/// range, so that only the emotion head reads it.
/// </summary>
public sealed class NgramFeaturizer : ITextEncoder
{
    [ThreadStatic] private static int[]? t_codePoints;
    [ThreadStatic] private static byte[]? t_roles;

    private readonly int _minN, _maxN;
    private readonly uint _buckets;
    private readonly bool _clauseRoles, _simplify;
    private readonly EmotionLexicon? _lexicon;

    public NgramFeaturizer(int minN, int maxN, int buckets, bool clauseRoles = false, bool simplify = false, EmotionLexicon? lexicon = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minN, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxN, minN);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 2);
        _minN = minN;
        _maxN = maxN;
        _buckets = (uint)buckets;
        _clauseRoles = clauseRoles;
        _simplify = simplify;
        _lexicon = lexicon;
    }

    public NgramFeaturizer(CompactConfig config, EmotionLexicon? lexicon = null) : this(config.MinN, config.MaxN, config.Buckets, config.ClauseRoles, config.FoldTraditional, lexicon) { }

    public ReadOnlySpan<int> Prefix => [];
    public ReadOnlySpan<int> Suffix => [];

    public void Encode(string text, List<int> ids)
    {
        var buffer = t_codePoints ??= new int[256];
        int length = Normalize(text, ref buffer, _simplify);
        t_codePoints = buffer;
        var cps = buffer.AsSpan(0, length);
        Span<byte> roles = default;
        if (_clauseRoles)
        {
            var roleBuffer = t_roles;
            if (roleBuffer is null || roleBuffer.Length < length) t_roles = roleBuffer = new byte[Math.Max(256, length)];
            roles = roleBuffer.AsSpan(0, length);
            ClauseRoles.Assign(cps, roles);
        }
        for (int i = 0; i < cps.Length; i++)
        {
            uint hash = 2166136261;
            for (int n = 1; n <= _maxN && i + n <= cps.Length; n++)
            {
                hash = (hash ^ (uint)cps[i + n - 1]) * 16777619;
                // A lone space says nothing; n-grams across a space keep word boundaries in Latin text.
                if (n < _minN || (n == 1 && cps[i] == ' ')) continue;
                ids.Add((int)(Mix(hash, n) % _buckets));
            }
            if (_clauseRoles && roles[i] != ClauseRoles.Plain)
            {
                // The character and its bigram once more, tagged with the role (distinct rows from the plain n-grams).
                uint salt = (uint)roles[i] * 0x27D4EB2F;
                uint tagged = (2166136261 ^ salt ^ (uint)cps[i]) * 16777619;
                ids.Add((int)(Mix(tagged, 16) % _buckets));
                if (i + 1 < cps.Length) ids.Add((int)(Mix((tagged ^ (uint)cps[i + 1]) * 16777619, 17) % _buckets));
            }
            if (_lexicon is not null && _lexicon.ClassAt(cps[i..]) is >= 0 and var cls) ids.Add((int)_buckets + cls);
        }
    }

    /// <summary>
    /// <paramref name="text"/> as the featurizer reads it (NFKC, then <see cref="Fold"/>), as code points in
    /// <paramref name="buffer"/> (replaced by a larger one when too small); returns their number.
    /// </summary>
    public static int Normalize(string text, ref int[] buffer, bool simplify)
    {
        if (!text.IsNormalized(NormalizationForm.FormKC)) text = text.Normalize(NormalizationForm.FormKC);
        if (buffer.Length < text.Length) buffer = new int[Math.Max(256, text.Length)];
        return Fold(text, buffer, simplify);
    }

    /// <summary>No vocabulary is kept, so an id is shown as its row.</summary>
    public string IdToToken(int id) => "#" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// After NFKC (which also turns full-width Latin letters, digits and punctuation into half-width): lower case,
    /// runs of white space as one space, control and format characters dropped, and with <paramref name="simplify"/>
    /// traditional characters as simplified ones; the result as code points, so an emoji is one unit.
    /// <paramref name="buffer"/> holds at least <c>text.Length</c> elements.
    /// </summary>
    private static int Fold(string text, int[] buffer, bool simplify)
    {
        int length = 0;
        bool space = true;
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                if (!space) buffer[length++] = ' ';
                space = true;
                continue;
            }
            if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format) continue;
            int c = Rune.ToLowerInvariant(rune).Value;
            buffer[length++] = simplify ? TraditionalChinese.Simplify(c) : c;
            space = false;
        }
        if (length > 0 && buffer[length - 1] == ' ') length--;
        return length;
    }

    internal static uint Mix(uint hash, int n)
    {
        hash ^= (uint)n * 0x9E3779B9;
        hash ^= hash >> 16;
        hash *= 0x85EBCA6B;
        hash ^= hash >> 13;
        return hash;
    }
}
