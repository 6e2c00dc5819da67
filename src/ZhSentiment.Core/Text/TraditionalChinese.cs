namespace ZhSentiment.Text;

/// <summary>
/// Traditional Chinese characters folded to their simplified forms, one character at a time (Unihan's
/// kSimplifiedVariant; see <c>tools/unihan/gen-traditional.py</c>). Enough for a model trained on simplified text to
/// read 質量很好 as 质量很好; not a converter (no word-level choices such as 乾 → 干/乾).
/// </summary>
internal static partial class TraditionalChinese
{
    private const int First = 0x3400, Last = 0x9FFF;

    // A direct table over the CJK blocks where nearly all pairs lie; the rest (compatibility ideographs) are rare.
    private static readonly char[] Table = Build(out Others);
    private static readonly Dictionary<int, int> Others;

    /// <summary>The simplified form of <paramref name="codePoint"/>, or the code point itself.</summary>
    public static int Simplify(int codePoint)
    {
        if ((uint)(codePoint - First) <= Last - First)
        {
            char c = Table[codePoint - First];
            return c == '\0' ? codePoint : c;
        }
        return codePoint > 0xFFFF || Others.Count == 0 ? codePoint : Others.GetValueOrDefault(codePoint, codePoint);
    }

    private static char[] Build(out Dictionary<int, int> others)
    {
        var table = new char[Last - First + 1];
        others = [];
        for (int i = 0; i < Pairs.Length; i += 2)
        {
            int from = Pairs[i];
            if (from is >= First and <= Last) table[from - First] = Pairs[i + 1];
            else others[from] = Pairs[i + 1];
        }
        return table;
    }
}
