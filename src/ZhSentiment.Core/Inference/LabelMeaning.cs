using System.Globalization;
using System.Text.RegularExpressions;

namespace ZhSentiment.Inference;

/// <summary>
/// What a label says, read from any of its spellings: a sentiment (<see cref="LabelSet.Positive"/>,
/// <see cref="LabelSet.Negative"/>, <see cref="LabelSet.Neutral"/>) or an emotion (<see cref="Emotions"/>), and which
/// side of the sentiment each emotion counts for. The one table of label spellings in the project.
/// </summary>
public static partial class LabelMeaning
{
    public const string Anger = "anger", Disgust = "disgust", Fear = "fear", Happiness = "happiness", Like = "like",
        Sadness = "sadness", Surprise = "surprise", NoEmotion = "neutral";

    /// <summary>The canonical emotion names, in the order answers and columns list them when nothing else decides.</summary>
    public static IReadOnlyList<string> Emotions { get; } = [Anger, Disgust, Fear, Happiness, Like, Sadness, Surprise, NoEmotion];

    /// <summary>
    /// The sentiment a label names, ignoring case and a parenthesised note (<c>negative (stars 1, 2 and 3)</c>):
    /// 正面/积极/正向/好评/positive/pos/very positive, 负面/消极/负向/差评/negative/neg/very negative, 中性/中立/neutral/neu,
    /// and star ratings (<c>star 1</c>…<c>star 5</c>, <c>1 star</c>, <c>5 stars</c>: 1–2 Negative, 3 Neutral, 4–5 Positive);
    /// null for anything else.
    /// </summary>
    public static string? Sentiment(string label)
    {
        string l = Normalise(label);
        var star = Star().Match(l);
        if (star.Success)
            return int.Parse(star.Groups["n"].Value, CultureInfo.InvariantCulture) switch { <= 2 => LabelSet.Negative, 3 => LabelSet.Neutral, _ => LabelSet.Positive };
        return l switch
        {
            "正面" or "积极" or "正向" or "好评" or "positive" or "pos" or "very positive" => LabelSet.Positive,
            "负面" or "消极" or "负向" or "差评" or "negative" or "neg" or "very negative" => LabelSet.Negative,
            "中性" or "中立" or "neutral" or "neu" => LabelSet.Neutral,
            _ => null,
        };
    }

    /// <summary>
    /// The emotion a label names, ignoring case and a parenthesised note: 愤怒/生气/angry/anger, 厌恶/disgust,
    /// 恐惧/害怕/fear, 高兴/快乐/喜悦/happy/joy/happiness, 喜好/喜爱/like/love, 悲伤/难过/sad/sadness, 惊讶/惊奇/surprise,
    /// 无情绪/无明显情绪/中性/neutral/none/null (and the usual inflections: angry, disgusted, scared, surprised…); null
    /// for anything else.
    /// </summary>
    public static string? Emotion(string label) => Normalise(label) switch
    {
        "愤怒" or "生气" or "愤慨" or "angry" or "anger" => Anger,
        "厌恶" or "讨厌" or "disgust" or "disgusted" or "disgusting" => Disgust,
        "恐惧" or "害怕" or "fear" or "fearful" or "afraid" or "scared" => Fear,
        "高兴" or "快乐" or "喜悦" or "开心" or "happy" or "joy" or "happiness" => Happiness,
        "喜好" or "喜爱" or "喜欢" or "like" or "love" => Like,
        "悲伤" or "难过" or "伤心" or "sad" or "sadness" => Sadness,
        "惊讶" or "惊奇" or "吃惊" or "surprise" or "surprised" => Surprise,
        "无情绪" or "无明显情绪" or "中性" or "neutral" or "none" or "null" or "no emotion" => NoEmotion,
        _ => null,
    };

    /// <summary>
    /// The sentiment side an emotion counts for when an emotion model answers Positive/Negative: happiness and like are
    /// positive; anger, disgust, fear and sadness negative; surprise and no emotion neither (Neutral).
    /// </summary>
    public static string SideOf(string emotion) => emotion switch
    {
        Happiness or Like => LabelSet.Positive,
        Anger or Disgust or Fear or Sadness => LabelSet.Negative,
        Surprise or NoEmotion => LabelSet.Neutral,
        _ => throw new ArgumentException($"'{emotion}' is not a canonical emotion.", nameof(emotion)),
    };

    /// <summary><c>LABEL_0</c>/<c>0</c> at index 0 and so on: a label that carries no meaning.</summary>
    internal static bool IsPlaceholder(string label, int index)
    {
        var l = label.Trim();
        return l == index.ToString(CultureInfo.InvariantCulture)
            || string.Equals(l, "LABEL_" + index, StringComparison.OrdinalIgnoreCase);
    }

    private static string Normalise(string label) => Suffix().Replace(label, "").Trim().ToLowerInvariant().Replace('_', ' ');

    /// <summary>A trailing parenthesised note, as in uer's <c>negative (stars 1, 2 and 3)</c>.</summary>
    [GeneratedRegex(@"\s*[(（][^()（）]*[)）]\s*$")]
    private static partial Regex Suffix();

    /// <summary><c>star 4</c>, <c>4 star</c>, <c>4 stars</c>, <c>4-star</c>.</summary>
    [GeneratedRegex(@"^(?:stars?[\s_-]*(?<n>[1-5])|(?<n>[1-5])[\s_-]*stars?)$")]
    private static partial Regex Star();
}
