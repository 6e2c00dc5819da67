using ZhSentiment.Training;

namespace ZhSentiment.Tests.Training;

/// <summary>A generated two-class set: a positive or negative cue word among random filler characters.</summary>
internal static class TestData
{
    private static readonly string[] Positive = ["很好", "满意", "喜欢", "推荐", "不错", "开心"];
    private static readonly string[] Negative = ["很差", "失望", "讨厌", "垃圾", "难用", "生气"];
    private const string Filler = "的了是在我有这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实";

    public static List<LabelledExample> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new List<LabelledExample>(count);
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(2);
            var words = label == 1 ? Positive : Negative;
            var chars = new char[random.Next(6, 20)];
            for (int c = 0; c < chars.Length; c++) chars[c] = Filler[random.Next(Filler.Length)];
            var text = new string(chars).Insert(random.Next(chars.Length), words[random.Next(words.Length)]);
            examples.Add(new LabelledExample(text, label, i % 2 == 0 ? "even" : "odd", i + 2));
        }
        return examples;
    }
}
