namespace ZhSentiment.Analysis;

/// <summary>
/// The one lexical rule of aspect analysis: an opinion that ends on a lukewarm word (味道还凑合, 环境一般般, 价格还行吧) is
/// Neutral on a model with a Neutral class (<see cref="NeutralVerdict"/>). n-gram models read these words as praise or blame by chance (the shipped
/// model: 还行 and 中规中矩 Positive, 一般 and 凑合 Negative), while a reviewer who writes them judges neither way.
/// </summary>
/// <remarks>
/// The word must close the opinion, bar a particle (还好吧), so that 还好有空调 (fortunately), 还可以再辣一点 and 一般来说
/// are not lukewarm; and no intensifier may stand before it, as 很一般 and 太一般了 are blame.
/// </remarks>
public static class Lukewarm
{
    private static readonly string[] Words =
        ["一般般", "一般", "还行", "还可以", "还凑合", "凑合", "马马虎虎", "中规中矩", "普普通通", "过得去", "也就那样", "平平无奇", "不过不失", "还好", "没什么特别"];

    private static readonly string[] Intensifiers = ["非常", "特别", "十分", "相当", "极其", "实在", "很", "太", "超", "真", "极", "不"];

    private const string Particles = "吧啦了的啊呀哈呢嘛哦吖~～";

    /// <summary>Whether <c>text[start..end)</c> ends on a lukewarm word, bar particles and punctuation, with no intensifier before it.</summary>
    public static bool Ends(string text, int start, int end)
    {
        while (end > start && (Particles.Contains(text[end - 1]) || char.IsWhiteSpace(text[end - 1]) || char.IsPunctuation(text[end - 1]))) end--;
        foreach (var word in Words)
        {
            int at = end - word.Length;
            if (at < start || !text.AsSpan(at, word.Length).SequenceEqual(word)) continue;
            foreach (var intensifier in Intensifiers)
                if (at - intensifier.Length >= start && text.AsSpan(at - intensifier.Length, intensifier.Length).SequenceEqual(intensifier))
                    return false;
            return true;
        }
        return false;
    }
}
