using System.Text.Json;
using System.Text.Json.Nodes;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

/// <summary>
/// The folders users download (issue 16's table): ModelScope fine-tunes and task models, and the label sets of
/// published sentiment models. Logits are checked for every fixture folder by <see cref="ModelLoaderTests"/>; these
/// tests check where the labels come from, what they mean, and the binary verdict.
/// </summary>
public sealed class PublishedLayoutTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("zhsenti-layouts-").FullName;
    private readonly List<string> _copies = [];

    public void Dispose()
    {
        Directory.Delete(_cache, recursive: true);
        foreach (var copy in _copies) Directory.Delete(copy, recursive: true);
    }

    [Fact]
    public void A_ModelScope_trainer_output_takes_its_labels_from_configuration_json_not_the_stale_config_json()
    {
        using var engine = Load(Fixture("modelscope-trainer"));
        Assert.Equal(["正面", "负面"], engine.Labels.ModelLabels);
        Assert.Equal(["Positive", "Negative"], engine.Labels.Names);
        Assert.Equal("configuration.json model.label2id", engine.Labels.Source);
        foreach (var (result, logits) in PredictAll(engine, "modelscope-trainer"))
        {
            // Class 0 is 正面 to ModelScope, whatever config.json says.
            string expected = logits[0] > logits[1] ? "Positive" : "Negative";
            Assert.Equal(expected, result.Polarity);
            Assert.Equal(expected == "Positive" ? "正面" : "负面", result.ModelLabel);
        }
    }

    [Fact]
    public void A_three_class_fine_tune_loads_and_decides_between_its_polar_sides()
    {
        using var engine = Load(Fixture("modelscope-3class"));
        Assert.Equal(["Negative", "Neutral", "Positive"], engine.Labels.Names);
        int neutralTop = 0;
        foreach (var (result, _) in PredictAll(engine, "modelscope-3class"))
        {
            var p = result.Probabilities;
            Assert.Equal(p[2] > p[0] ? "Positive" : "Negative", result.Polarity);
            Assert.Equal(Math.Max(p[0], p[2]) / (p[0] + p[2]), result.PolarityScore, 5);
            if (result.Label == LabelSet.Neutral) neutralTop++;
        }
        Assert.True(neutralTop > 0, "no text has 中性 on top, so the neutral case is not exercised");
    }

    [Fact]
    public void Task_models_read_the_backbone_prefix_from_configuration_json()
    {
        using var encoder = Load(Fixture("modelscope-encoder"));
        Assert.Equal(["Negative", "Positive"], encoder.Labels.Names);
        using var inline = Load(Fixture("modelscope-inline"));
        Assert.False(File.Exists(Path.Combine(Fixture("modelscope-inline"), "config.json")));
        Assert.Equal("configuration.json preprocessor.label2id", inline.Labels.Source);
        Assert.Equal(48, inline.Info.MaxSequenceLength);
        Assert.Equal("structbert", inline.Info.Architecture);
    }

    [Fact]
    public void A_configuration_only_folder_converts_to_an_onnx_folder_that_keeps_its_labels_and_its_cut()
    {
        string output = Path.Combine(Copy("modelscope-inline"), "converted");
        ModelConverter.Convert(Fixture("modelscope-inline"), output, int8: false);
        Assert.Equal(ModelFolderKind.Onnx, ModelFolder.Inspect(output).Kind);
        using var converted = Load(output);
        using var original = Load(Fixture("modelscope-inline"));
        Assert.Equal("configuration.json preprocessor.label2id", converted.Labels.Source);
        Assert.Equal(48, converted.Info.MaxSequenceLength);
        string[] texts = ["这家店的服务态度真是太好了", new string('好', 100)];
        var a = original.Predict(texts);
        var b = converted.Predict(texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(a[i].Logits, b[i].Logits, (x, y) => Math.Abs(x - y) < 1e-4);
    }

    [Fact]
    public void A_label_mapping_json_wins_over_every_other_label_source()
    {
        string copy = Copy("modelscope-trainer");
        File.WriteAllText(Path.Combine(copy, "label_mapping.json"), """{"negative": 0, "positive": 1}""");
        using var engine = Load(copy);
        Assert.Equal(["negative", "positive"], engine.Labels.ModelLabels);
        Assert.Equal("label_mapping.json", engine.Labels.Source);
    }

    [Fact]
    public void Star_ratings_answer_Positive_or_Negative_summing_each_side()
    {
        using var engine = Load(Fixture("hf-stars"));
        Assert.Equal(["star 1", "star 2", "star 3", "star 4", "star 5"], engine.Labels.ModelLabels);
        Assert.Equal(["Negative", "Negative", "Neutral", "Positive", "Positive"], engine.Labels.Names);
        var polarities = new HashSet<string>();
        foreach (var (result, _) in PredictAll(engine, "hf-stars"))
        {
            var p = result.Probabilities;
            float negative = p[0] + p[1], positive = p[3] + p[4];
            Assert.Equal(positive > negative ? "Positive" : "Negative", result.Polarity);
            // The winning side's share of the polar probability, neutral (3 stars) left out.
            Assert.Equal(Math.Max(positive, negative) / (positive + negative), result.PolarityScore, 5);
            polarities.Add(result.Polarity);
        }
        Assert.Equal(2, polarities.Count);
    }

    [Fact]
    public void Uer_binary_labels_with_star_notes_map_to_Positive_and_Negative()
    {
        // id2label of uer/roberta-base-finetuned-jd-binary-chinese and -dianping-chinese.
        string copy = WithId2Label("hf-bin", "negative (stars 1, 2 and 3)", "positive (stars 4 and 5)");
        using var engine = Load(copy);
        Assert.Equal(["Negative", "Positive"], engine.Labels.Names);
        var result = engine.Predict(["这家店的服务态度真是太好了"])[0];
        Assert.Contains(result.Polarity, new[] { "Positive", "Negative" });
        Assert.StartsWith(result.Polarity.ToLowerInvariant(), result.ModelLabel);
    }

    [Fact]
    public void A_label_set_without_meaning_is_served_under_its_own_names_and_says_so()
    {
        using var engine = Load(WithId2Label("hf-bin", "体育", "财经"));
        Assert.False(engine.Labels.IsCanonical);
        Assert.Equal(["体育", "财经"], engine.Labels.Names);
        Assert.StartsWith("none: the labels (体育, 财经) have no sentiment or emotion meaning", engine.Labels.Mapping);
        Assert.Contains(engine.Predict(["好"])[0].Polarity, new[] { "体育", "财经" });
    }

    [Fact]
    public void A_multi_label_model_scores_each_class_with_a_sigmoid_as_the_HF_pipeline_does()
    {
        string copy = Copy("hf-bin");
        string path = Path.Combine(copy, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config["problem_type"] = "multi_label_classification";
        File.WriteAllText(path, config.ToJsonString());
        using var engine = Load(copy);
        foreach (var (result, logits) in PredictAll(engine, "hf-bin"))
            for (int c = 0; c < logits.Length; c++)
                Assert.Equal(1 / (1 + Math.Exp(-logits[c])), result.Probabilities[c], 4);
    }

    [Theory]
    [InlineData("unsupported-deberta-v2", "model_type 'deberta-v2' (DebertaV2ForSequenceClassification) is not supported")]
    public void Unsupported_architectures_are_refused_in_one_line_naming_them_and_the_supported_ones(string folder, string message)
    {
        var e = Assert.Throws<ModelFormatException>(() => Load(Fixture(folder)));
        Assert.Contains(message, e.Message);
        Assert.Contains("supported: bert, structbert, ernie, distilbert, electra, albert, megatron-bert, xlm-roberta", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("ernie", "ernie", new[] { "Negative", "Positive" })]
    [InlineData("distilbert", "distilbert", new[] { "Positive", "Neutral", "Negative" })]
    [InlineData("electra", "electra", new[] { "Negative", "Positive" })] // LABEL_0/LABEL_1 by convention
    [InlineData("albert", "albert", new[] { "Negative", "Positive" })]
    [InlineData("megatron-bert", "megatron-bert", new[] { "Negative", "Positive" })]
    [InlineData("xlm-roberta", "xlm-roberta", new[] { "Negative", "Neutral", "Positive" })]
    public void Other_architectures_load_under_their_model_type_with_canonical_labels(string folder, string architecture, string[] names)
    {
        using var engine = Load(Fixture(folder));
        Assert.Equal(architecture, engine.Info.Architecture);
        Assert.Equal(names, engine.Labels.Names);
    }

    [Fact]
    public void XLM_RoBERTa_reads_its_SentencePiece_tokenizer_and_counts_positions_from_the_padding_index()
    {
        using var engine = Load(Fixture("xlm-roberta"));
        Assert.Equal(["negative", "neutral", "positive"], engine.Labels.ModelLabels);
        Assert.Equal(64, engine.Info.MaxSequenceLength); // 66 positions less padding_idx + 1
        var encoder = Assert.IsType<SubwordTextEncoder>(engine.Encoder);
        Assert.IsType<ZhSentiment.Text.SentencePieceTokenizer>(encoder.Tokenizer);
        // <s> … </s> framing; a <pad> typed in the text is the pad token, and PyTorch's logits for it are matched.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture("xlm-roberta"), "expected.json")));
        var row = json.RootElement.GetProperty("texts").EnumerateArray().First(t => t.GetProperty("text").GetString()!.Contains("<pad>"));
        string text = row.GetProperty("text").GetString()!;
        var ids = engine.Tokenize(text).Ids;
        Assert.Equal(row.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()), ids);
        Assert.Equal([0, 1, 2], new[] { ids[0], ids[3], ids[^1] }); // <s>, the typed <pad>, </s>
        float[] logits = row.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(logits, engine.Predict([text])[0].Logits, (a, e) => Math.Abs(a - e) < 1e-4);
        int[] classes = PredictAll(engine, "xlm-roberta").Select(r => r.Result.LabelIndex).Distinct().Order().ToArray();
        Assert.Equal([0, 1, 2], classes);
    }

    [Fact]
    public void XLM_RoBERTa_loads_from_pytorch_model_bin_as_from_model_safetensors()
    {
        string copy = Copy("xlm-roberta");
        File.Delete(Path.Combine(copy, "model.safetensors"));
        using var bin = Load(copy);
        using var safetensors = Load(Fixture("xlm-roberta"));
        string[] texts = ["物流很快，好评！", "质量一般，客服态度很差", new string('好', 100)];
        var a = bin.Predict(texts);
        var b = safetensors.Predict(texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(a[i].Logits, b[i].Logits);
    }

    [Theory]
    [InlineData("BPE", "tokenizer model type \"BPE\" is not supported; supported: WordPiece (BERT), Unigram (SentencePiece, XLM-RoBERTa)")]
    [InlineData("sentencepiece-only", "has no tokenizer.json: XLM-RoBERTa's SentencePiece tokenizer is read from tokenizer.json")]
    [InlineData("wordpiece", "model_type 'xlm-roberta' needs a SentencePiece (Unigram) tokenizer, but the tokenizer files hold BERT WordPiece")]
    public void XLM_RoBERTa_with_another_tokenizer_is_refused_in_one_line(string tokenizer, string message)
    {
        string copy = Copy("xlm-roberta");
        string json = Path.Combine(copy, "tokenizer.json");
        switch (tokenizer)
        {
            case "BPE":
                File.WriteAllText(json, """{"version": "1.0", "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""");
                break;
            case "sentencepiece-only":
                File.Move(json, Path.Combine(copy, "sentencepiece.bpe.model"));
                break;
            default:
                File.Copy(Path.Combine(Fixture("hf-tokenizer-json"), "tokenizer.json"), json, overwrite: true);
                File.Delete(Path.Combine(copy, "tokenizer_config.json")); // its <s>/<pad> names are not BERT's
                break;
        }
        var e = Assert.Throws<ModelFormatException>(() => Load(copy));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static string Fixture(string folder) => Path.Combine(TestPaths.Fixtures, "models", folder);

    private string Copy(string folder)
    {
        string copy = Directory.CreateTempSubdirectory("zhsenti-layout-copy-").FullName;
        _copies.Add(copy);
        foreach (var file in Directory.GetFiles(Fixture(folder)))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private string WithId2Label(string folder, params string[] labels)
    {
        string copy = Copy(folder);
        string path = Path.Combine(copy, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config["id2label"] = new JsonObject(labels.Select((l, i) => KeyValuePair.Create(i.ToString(), (JsonNode?)l)));
        config["label2id"] = new JsonObject(labels.Select((l, i) => KeyValuePair.Create(l, (JsonNode?)i)));
        File.WriteAllText(path, config.ToJsonString());
        return copy;
    }

    private SentimentEngine Load(string folder) => ModelLoader.Load(folder, new ModelLoadOptions
    {
        Threads = 1,
        CacheDirectory = _cache,
        Engine = new EngineOptions { LongText = new LongTextOptions { Mode = LongTextMode.Truncate } },
    });

    /// <summary>Every non-blank fixture text's result, with the logits PyTorch recorded for it.</summary>
    private static IEnumerable<(SentimentResult Result, float[] Logits)> PredictAll(SentimentEngine engine, string folder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture(folder), "expected.json")));
        var texts = json.RootElement.GetProperty("texts").EnumerateArray()
            .Where(t => !string.IsNullOrWhiteSpace(t.GetProperty("text").GetString()))
            .Select(t => (t.GetProperty("text").GetString()!, t.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray()))
            .ToArray();
        var results = engine.Predict(texts.Select(t => t.Item1).ToArray());
        return results.Zip(texts, (r, t) => (r, t.Item2));
    }
}
