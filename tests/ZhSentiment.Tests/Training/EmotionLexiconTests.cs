using ZhSentiment.Compact;
using ZhSentiment.Graph.Onnx;
using ZhSentiment.Inference;
using ZhSentiment.Training;

namespace ZhSentiment.Tests.Training;

/// <summary>The emotion head's lexicon: the file it is read from, the ids it adds, and that only the emotion head reads them.</summary>
public sealed class EmotionLexiconTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-lexicon-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Emotions = ["anger", "fear", "happiness", "sadness", "surprise", "neutral"];

    /// <summary>A lexicon shaped like DUTIR's: word, part of speech, senses, sense, class, strength, polarity.</summary>
    private string WriteLexicon(params (string Word, string Class)[] words)
    {
        var path = Path.Combine(_dir, "lexicon.tsv");
        File.WriteAllLines(path, ["词语\t词性种类\t词义数\t词义序号\t情感分类\t强度\t极性", .. words.Select(w => $"{w.Word}\tadj\t1\t1\t{w.Class}\t7\t2")]);
        return path;
    }

    private EmotionLexicon Lexicon(out IReadOnlyList<string> classes) =>
        EmotionLexicon.FromTable(WriteLexicon(("愤怒", "NA"), ("气死", "NA"), ("开心", "PA"), ("好开心啊", "PA"), ("害怕", "NC"), ("怕", "NC"), ("太长了的词语", "NC"), ("憤怒", "NB")),
            foldTraditional: true, out classes);

    [Fact]
    public void A_table_is_read_by_its_named_columns_and_words_of_two_to_four_characters()
    {
        var lexicon = Lexicon(out var classes);
        Assert.Equal(["NA", "PA", "NC"], classes);
        Assert.Equal(3, lexicon.Classes);
        // 怕 (one character) and 太长了的词语 (six) are skipped; 憤怒 folds to 愤怒, which keeps its first class.
        Assert.Equal(5, lexicon.Count);
        Assert.Equal(0, lexicon.ClassOf([.. "愤怒".Select(c => (int)c)]));
        Assert.Equal(1, lexicon.ClassOf([.. "好开心啊".Select(c => (int)c)]));
        Assert.Equal(-1, lexicon.ClassOf([.. "开心啊".Select(c => (int)c)]));
    }

    [Fact]
    public void Saved_and_loaded_it_answers_the_same_and_a_damaged_file_is_refused()
    {
        var lexicon = Lexicon(out _);
        var path = Path.Combine(_dir, EmotionLexicon.FileName);
        lexicon.Save(path);
        var loaded = EmotionLexicon.Load(path);
        Assert.Equal(lexicon.Count, loaded.Count);
        Assert.Equal(lexicon.Classes, loaded.Classes);
        foreach (var word in new[] { "愤怒", "气死", "开心", "好开心啊", "害怕", "高兴" })
            Assert.Equal(lexicon.ClassOf([.. word.Select(c => (int)c)]), loaded.ClassOf([.. word.Select(c => (int)c)]));

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^3]);
        Assert.Contains("damaged", Assert.Throws<ModelFormatException>(() => EmotionLexicon.Load(path)).Message);
        File.WriteAllText(path, "not a lexicon");
        Assert.Contains("ZLEX", Assert.Throws<ModelFormatException>(() => EmotionLexicon.Load(path)).Message);
    }

    [Fact]
    public void The_featurizer_adds_the_longest_word_s_class_past_the_buckets_where_the_word_starts()
    {
        var lexicon = Lexicon(out _);
        const int buckets = 1000;
        var plain = new List<int>();
        var withLexicon = new List<int>();
        new NgramFeaturizer(1, 3, buckets).Encode("今天好开心啊，气死", plain);
        new NgramFeaturizer(1, 3, buckets, lexicon: lexicon).Encode("今天好开心啊，气死", withLexicon);
        // 好开心啊 at 好 (the longest word there), 开心 at 开, 气死: classes 1, 1, 0.
        Assert.Equal([buckets + 1, buckets + 1, buckets + 0], withLexicon.Where(id => id >= buckets));
        Assert.Equal(plain, withLexicon.Where(id => id < buckets));
        // Inline, right after the three n-grams that start at 好, the third character.
        Assert.Equal(buckets + 1, withLexicon[3 * 3]);
    }

    private static CompactWeights RandomWeights(CompactConfig config, EmotionLexicon lexicon, int seed)
    {
        var random = new Random(seed);
        var weights = new CompactWeights(config, lexicon);
        foreach (var values in new[] { weights.Linear, weights.Bias, weights.EmotionTable, weights.EmotionBias })
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        weights.RoundTablesToHalf();
        return weights;
    }

    private CompactConfig Config(int lexiconClasses, bool sqrt = true) => new()
    {
        Labels = ["负面", "中性", "正面"], Buckets = 257, Dim = 0, MaxSequenceLength = 16, SqrtPooling = sqrt,
        HeadTemperatures = [0.9f, 1.2f], EmotionLabels = Emotions, EmotionBuckets = 64, EmotionTemperature = 1.3f, EmotionLexiconClasses = lexiconClasses,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_graph_computes_what_the_weights_do_and_the_sentiment_heads_ignore_the_lexicon_ids(bool sqrt)
    {
        var lexicon = Lexicon(out _);
        var weights = RandomWeights(Config(lexicon.Classes, sqrt), lexicon, seed: 3);
        int[][] rows = [[3, 256, 257, 3, 0, 259], [7], [258, 12, 80]];
        var batch = new EncodedBatch();
        batch.Reset(rows.Length, rows.Max(r => r.Length));
        for (int r = 0; r < rows.Length; r++) batch.SetRow(r, rows[r]);
        using var classifier = OnnxClassifier.Load(OnnxModelWriter.ToBytes(CompactGraphBuilder.Build(weights), CompactGraphBuilder.Metadata(weights.Config)), "compact");
        var logits = new float[rows.Length * 9];
        classifier.Run(batch, logits);

        var expected = new float[9];
        var withoutLexicon = new float[9];
        var scratch = new CompactWeights.Scratch(weights);
        for (int r = 0; r < rows.Length; r++)
        {
            weights.Logits(rows[r], expected, scratch);
            for (int l = 0; l < 9; l++) Assert.Equal(expected[l], logits[r * 9 + l], 1e-4f);
            // The sentiment logits are those of the n-grams alone; the emotion logits are not.
            weights.Logits([.. rows[r].Where(id => id < 257)], withoutLexicon, scratch);
            Assert.Equal(withoutLexicon[..3], expected[..3]);
            if (rows[r].Any(id => id >= 257)) Assert.NotEqual(withoutLexicon[3..], expected[3..]);
        }
    }

    [Fact]
    public void A_model_with_a_lexicon_saves_loads_and_serves_it_and_without_the_file_it_is_refused()
    {
        var lexicon = Lexicon(out _);
        var weights = RandomWeights(Config(lexicon.Classes), lexicon, seed: 4);
        CompactModel.Save(weights, _dir);
        Assert.Equal(3, CompactConfig.Load(Path.Combine(_dir, "config.json")).EmotionLexiconClasses);
        string[] texts = ["我好开心啊", "气死我了，真是愤怒", new string('哭', 30) + "好害怕"];
        using (var engine = ModelLoader.Load(_dir, new ModelLoadOptions { Threads = 1 }))
        {
            var direct = CompactTrainer.Probabilities(weights, texts);
            var served = engine.Predict(texts);
            for (int i = 0; i < texts.Length; i++)
                for (int l = 0; l < 9; l++) Assert.Equal(direct[i][l], served[i].Probabilities[l], 1e-4f);
        }
        File.Delete(Path.Combine(_dir, EmotionLexicon.FileName));
        var error = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(_dir, new ModelLoadOptions { Threads = 1 }));
        Assert.Contains(EmotionLexicon.FileName, error.Message);
    }

    [Fact]
    public void Training_with_a_lexicon_leaves_the_sentiment_part_bit_for_bit_as_without_it()
    {
        var lexicon = EmotionLexicon.FromTable(WriteLexicon(("气死", "NA"), ("开心", "PA"), ("害怕", "NC"), ("难过", "NB"), ("震惊", "PC")), false, out _);
        CompactTrainerOptions Options(EmotionLexicon? l) => new()
        {
            Model = new CompactConfig { Labels = ["负面", "正面"], Dim = 0, Buckets = 4096, EmotionLabels = Emotions, EmotionBuckets = 1024, EmotionLexiconClasses = l?.Classes ?? 0 },
            Epochs = 2, EmotionEpochs = 3, EmotionStepScale = 20, EmotionLexicon = l,
        };
        var sentiment = TestData.Generate(400, seed: 61);
        var emotions = CompactTrainerTests.EmotionData(600, seed: 62);
        var plain = new CompactTrainer(Options(null)).Train(sentiment, emotions: emotions);
        var read = new CompactTrainer(Options(lexicon)).Train(sentiment, emotions: emotions);
        Assert.Equal(plain.Linear, read.Linear);
        Assert.Equal(plain.Bias, read.Bias);
        Assert.NotEqual(plain.EmotionBias, read.EmotionBias);
        Assert.Throws<ArgumentException>(() => new CompactTrainer(Options(lexicon) with { EmotionLexicon = null }));
    }
}
