using ZhSentiment.Graph;

namespace ZhSentiment.Tests.Graph;

public class BertConfigTests
{
    private const string HfConfig = """
        {
          "architectures": ["BertForSequenceClassification"],
          "attention_probs_dropout_prob": 0.1,
          "hidden_act": "gelu",
          "hidden_size": 768,
          "id2label": {"0": "negative", "1": "positive"},
          "intermediate_size": 3072,
          "label2id": {"negative": 0, "positive": 1},
          "layer_norm_eps": 1e-12,
          "max_position_embeddings": 512,
          "model_type": "bert",
          "num_attention_heads": 12,
          "num_hidden_layers": 12,
          "pad_token_id": 0,
          "position_embedding_type": "absolute",
          "type_vocab_size": 2,
          "vocab_size": 21128
        }
        """;

    [Fact]
    public void ReadsAHuggingFaceConfig()
    {
        var c = BertConfig.Parse(HfConfig);
        Assert.Equal((768, 12, 12, 3072, 21128, 512, 2), (c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.VocabSize, c.MaxPositionEmbeddings, c.TypeVocabSize));
        Assert.Equal(1e-12f, c.LayerNormEps);
        Assert.Equal(BertActivation.Gelu, c.HiddenAct);
        Assert.Equal(["negative", "positive"], c.Labels);
        Assert.Equal(64, c.HeadSize);
        Assert.Null(c.BaseModelPrefix);
    }

    [Fact]
    public void ReadsAModelScopeStructBertConfig()
    {
        var c = BertConfig.Parse("""
            {"model_type": "structbert", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
             "intermediate_size": 256, "vocab_size": 21128, "hidden_act": "gelu", "base_model_prefix": "bert",
             "label2id": {"正面": 1, "负面": 0}}
            """);
        Assert.Equal(["负面", "正面"], c.Labels);
        Assert.Equal(512, c.MaxPositionEmbeddings);
        Assert.Equal(1e-12f, c.LayerNormEps);
        Assert.Equal("bert", c.BaseModelPrefix);
    }

    [Fact]
    public void LabelsDefaultToNumLabelsOrTwo()
    {
        const string sizes = "\"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 16, \"vocab_size\": 10";
        Assert.Equal(["LABEL_0", "LABEL_1", "LABEL_2"], BertConfig.Parse($"{{{sizes}, \"num_labels\": 3}}").Labels);
        Assert.Equal(["LABEL_0", "LABEL_1"], BertConfig.Parse($"{{{sizes}}}").Labels);
        Assert.Equal(BertActivation.GeluTanh, BertConfig.Parse($"{{{sizes}, \"hidden_act\": \"gelu_new\"}}").HiddenAct);
        Assert.Equal(BertActivation.Relu, BertConfig.Parse($"{{{sizes}, \"hidden_act\": \"relu\"}}").HiddenAct);
    }

    [Theory]
    [InlineData("\"num_attention_heads\": 5", "num_attention_heads (5) does not divide hidden_size (768)")]
    [InlineData("\"hidden_act\": \"swish\"", "hidden_act 'swish' is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, relu)")]
    [InlineData("\"num_hidden_layers\": 0", "num_hidden_layers must be positive, not 0")]
    [InlineData("\"hidden_size\": \"768\"", "'hidden_size' must be an integer, not \"768\"")]
    [InlineData("\"hidden_size\": null", "has no 'hidden_size'")]
    [InlineData("\"position_embedding_type\": \"relative_key\"", "position_embedding_type 'relative_key' is not supported (only 'absolute')")]
    [InlineData("\"num_labels\": 3", "num_labels (3) disagrees with the 2 labels named")]
    [InlineData("\"id2label\": {\"0\": \"a\", \"2\": \"b\"}", "id2label: label indices must be 0..1 without gaps")]
    public void InvalidConfigsNameTheFileAndTheProblem(string override_, string problem)
    {
        string key = override_[1..override_.IndexOf('"', 1)];
        var json = System.Text.Json.Nodes.JsonNode.Parse(HfConfig)!.AsObject();
        json.Remove(key);
        string text = json.ToJsonString().TrimEnd('}') + "," + override_ + "}";
        var e = Assert.Throws<ModelFormatException>(() => BertConfig.Parse(text, "/models/x/config.json"));
        Assert.Equal("/models/x/config.json", e.File);
        Assert.Equal(problem, e.Problem);
    }

    [Fact]
    public void UnreadableOrMalformedFilesAreModelFormatErrors()
    {
        var dir = Directory.CreateTempSubdirectory("zhsenti-config-").FullName;
        try
        {
            var path = Path.Combine(dir, "config.json");
            Assert.StartsWith("cannot read the model configuration", Assert.Throws<ModelFormatException>(() => BertConfig.Load(path)).Problem);
            File.WriteAllText(path, "{\"hidden_size\": 768,");
            var e = Assert.Throws<ModelFormatException>(() => BertConfig.Load(path));
            Assert.Equal(path, e.File);
            Assert.StartsWith("is not valid JSON", e.Problem);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
