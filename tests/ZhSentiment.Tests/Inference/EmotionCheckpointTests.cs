using System.Text.Json;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

/// <summary>
/// Emotion checkpoints in the layouts they are published in (tools/reference-models: ModelScope's seven-emotion
/// StructBERT, a Hugging Face BERT emotion fine-tune, a multi-label emotion model), each held to the logits PyTorch
/// computed for it. Every answer is recomputed here from PyTorch's logits, without the engine's label code: the
/// probabilities (softmax, or independent sigmoids for <c>multi_label_classification</c>), the top emotion, and the
/// sentiment by sides (happiness + like Positive; anger + disgust + fear + sadness Negative; surprise + neutral
/// Neutral; a sigmoid head's sides as shares of the sum of its scores).
/// </summary>
public sealed class EmotionCheckpointTests : IDisposable
{
    /// <summary>Two answers closer than this are a tie that float rounding may decide either way: not checked.</summary>
    private const double Tie = 1e-4;

    private readonly string _cache = Directory.CreateTempSubdirectory("zhsenti-emotion-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    public static TheoryData<string> Folders => new("modelscope-emotion", "hf-emotion", "hf-emotion-multilabel");

    /// <summary>What each folder's labels are, written out by hand: the published names and their canonical emotions.</summary>
    private static (string[] ModelLabels, string[] Emotions, bool MultiLabel, string Mapping) Published(string folder) => folder switch
    {
        "modelscope-emotion" => (
            ["恐惧", "愤怒", "厌恶", "喜好", "悲伤", "高兴", "惊讶"],
            ["fear", "anger", "disgust", "like", "sadness", "happiness", "surprise"],
            false,
            "emotions by meaning: 恐惧 → fear, 愤怒 → anger, 厌恶 → disgust, 喜好 → like, 悲伤 → sadness, 高兴 → happiness, "
            + "惊讶 → surprise (sentiment: Positive sums like+happiness, Negative sums fear+anger+disgust+sadness, Neutral sums surprise)"),
        "hf-emotion" => (
            ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"],
            ["anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise"],
            false,
            "emotions by meaning: anger → anger, disgust → disgust, fear → fear, joy → happiness, neutral → neutral, "
            + "sadness → sadness, surprise → surprise (sentiment: Positive sums happiness, Negative sums anger+disgust+fear+sadness, "
            + "Neutral sums neutral+surprise)"),
        "hf-emotion-multilabel" => (
            ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"],
            ["anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"],
            true,
            "emotions by meaning: anger → anger, disgust → disgust, fear → fear, joy → happiness, sadness → sadness, "
            + "surprise → surprise, neutral → neutral (sentiment: Positive sums happiness, Negative sums anger+disgust+fear+sadness, "
            + "Neutral sums surprise+neutral); scores are sigmoids"),
        _ => throw new ArgumentException(folder),
    };

    private static string SideOf(string emotion) => emotion switch
    {
        "happiness" or "like" => "Positive",
        "anger" or "disgust" or "fear" or "sadness" => "Negative",
        "surprise" or "neutral" => "Neutral",
        _ => throw new ArgumentException(emotion),
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void The_folder_loads_as_an_emotion_head_with_its_published_labels(string folder)
    {
        var (modelLabels, emotions, multiLabel, mapping) = Published(folder);
        using var engine = Load(Fixture(folder));
        var labels = engine.Labels;
        Assert.Equal(modelLabels, labels.ModelLabels);
        Assert.Equal(Reference.Load(folder).Labels, labels.ModelLabels);
        Assert.Equal(emotions, labels.Names);
        Assert.Equal(["sentiment", "emotion"], labels.Tasks);
        var head = Assert.IsType<LabelHead>(labels.EmotionHead);
        Assert.Same(head, labels.SentimentHead);
        Assert.Equal(multiLabel, head.Sigmoid);
        Assert.Equal(mapping, labels.Mapping);
        // ModelScope's parse_label_mapping: no label_mapping.json and no labels in configuration.json, so config.json.
        Assert.Equal("config.json id2label", labels.Source);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Logits_equal_PyTorch_within_1e4_alone_and_in_a_padded_batch(string folder)
    {
        var reference = Reference.Load(folder);
        using var engine = Load(Fixture(folder));
        var batch = engine.Predict(reference.Texts);
        for (int i = 0; i < reference.Texts.Length; i++)
            Assert.Equal(reference.Logits[i], batch[i].Logits, (a, e) => Math.Abs(a - e) < 1e-4);
        for (int i = 0; i < reference.Texts.Length; i += 5)
            Assert.Equal(reference.Logits[i], engine.Predict([reference.Texts[i]])[0].Logits, (a, e) => Math.Abs(a - e) < 1e-4);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Scores_and_the_top_emotion_are_PyTorch_s_softmax_or_independent_sigmoids(string folder)
    {
        var (_, emotions, multiLabel, _) = Published(folder);
        var reference = Reference.Load(folder);
        using var engine = Load(Fixture(folder));
        var results = engine.Predict(reference.Texts);
        var tops = new HashSet<string>();
        int notOne = 0;
        for (int i = 0; i < results.Length; i++)
        {
            double[] p = Probabilities(reference.Logits[i], multiLabel);
            var r = results[i];
            for (int c = 0; c < p.Length; c++) Assert.Equal(p[c], r.Probabilities[c], Tie);
            if (Math.Abs(p.Sum() - 1) > 0.01) notOne++;

            int top = Array.IndexOf(p, p.Max());
            if (p.Max() - p.Where((_, c) => c != top).Max() < Tie) continue;
            Assert.Equal(top, r.EmotionIndex);
            Assert.Equal(emotions[top], r.Emotion);
            Assert.Equal(p[top], r.EmotionScore, Tie);
            tops.Add(emotions[top]);

            var all = engine.Labels.Emotions(r.Probabilities);
            Assert.Equal(emotions, all.Select(e => e.Label));
            Assert.Equal(engine.Labels.ModelLabels, all.Select(e => e.ModelLabel));
            Assert.Equal(p, all.Select(e => (double)e.Score), (a, e) => Math.Abs(a - e) < Tie);
        }
        Assert.True(tops.Count >= 5, $"only {tops.Count} emotions are ever on top: {string.Join(", ", tops)}");
        // Sigmoid scores are independent: they do not add up to one. Softmax scores always do.
        if (multiLabel) Assert.True(notOne > results.Length / 2, $"only {notOne} texts' sigmoid scores differ from a sum of one");
        else Assert.Equal(0, notOne);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Sentiment_answers_sum_each_side_s_emotions_of_PyTorch_s_probabilities(string folder)
    {
        var (_, emotions, multiLabel, _) = Published(folder);
        var reference = Reference.Load(folder);
        using var engine = Load(Fixture(folder));
        var results = engine.Predict(reference.Texts);
        var polarities = new HashSet<string>();
        var threeWay = new HashSet<string>();
        for (int i = 0; i < results.Length; i++)
        {
            double[] p = Probabilities(reference.Logits[i], multiLabel);
            double positive = 0, negative = 0, neutral = 0;
            for (int c = 0; c < p.Length; c++)
            {
                switch (SideOf(emotions[c]))
                {
                    case "Positive": positive += p[c]; break;
                    case "Negative": negative += p[c]; break;
                    default: neutral += p[c]; break;
                }
            }
            if (multiLabel)
            {
                // Independent sigmoids: each side's share of the summed scores.
                double total = positive + negative + neutral;
                (positive, negative, neutral) = (positive / total, negative / total, neutral / total);
            }
            Assert.Equal(1, positive + negative + neutral, 1e-9);
            var r = results[i];

            if (Math.Abs(positive - negative) < Tie) continue;
            string polar = positive > negative ? "Positive" : "Negative";
            Assert.Equal(polar, r.Polarity);
            Assert.Equal(Math.Max(positive, negative) / (positive + negative), r.PolarityScore, Tie);
            polarities.Add(polar);

            if (Math.Abs(neutral - Math.Max(positive, negative)) < Tie) continue;
            bool isNeutral = neutral > positive && neutral > negative;
            Assert.Equal(isNeutral ? "Neutral" : polar, r.Label);
            Assert.Equal(isNeutral ? neutral : Math.Max(positive, negative), r.Score, Tie);
            threeWay.Add(r.Label);
        }
        Assert.Equal(["Negative", "Positive"], polarities.Order());
        Assert.True(threeWay.Count >= 2, $"the three-way answers are only {string.Join(", ", threeWay)}");
    }

    private static double[] Probabilities(float[] logits, bool multiLabel)
    {
        if (multiLabel) return logits.Select(l => 1 / (1 + Math.Exp(-l))).ToArray();
        double max = logits.Max();
        double[] e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }

    private static string Fixture(string folder) => Path.Combine(TestPaths.Fixtures, "models", folder);

    private SentimentEngine Load(string folder) => ModelLoader.Load(folder, new ModelLoadOptions
    {
        Threads = 1,
        CacheDirectory = _cache,
        Engine = new EngineOptions { LongText = new LongTextOptions { Mode = LongTextMode.Truncate } },
    });

    /// <summary>
    /// The non-blank texts of a fixture's expected.json (the engine refuses a blank one), their labels, and the logits
    /// PyTorch computed for each alone.
    /// </summary>
    private sealed record Reference(string[] Texts, float[][] Logits, string[] Labels)
    {
        public static Reference Load(string folder)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture(folder), "expected.json")));
            var texts = json.RootElement.GetProperty("texts").EnumerateArray()
                .Where(t => !string.IsNullOrWhiteSpace(t.GetProperty("text").GetString())).ToArray();
            return new Reference(
                texts.Select(t => t.GetProperty("text").GetString()!).ToArray(),
                texts.Select(t => t.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray(),
                json.RootElement.GetProperty("labels").EnumerateArray().Select(v => v.GetString()!).ToArray());
        }
    }
}
