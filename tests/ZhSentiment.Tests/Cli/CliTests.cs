using System.Text.Json;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Cli;

/// <summary>The offline verbs through the real executable: their JSON-lines contracts, order, errors and exit codes.</summary>
public sealed class CliTests : IDisposable
{
    private static readonly string Model = Path.Combine(TestPaths.Fixtures, "models", "modelscope");
    private readonly string _temp = Directory.CreateTempSubdirectory("zhsenti-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Cache => Path.Combine(_temp, "cache");

    [Fact]
    public async Task Predict_json_gives_one_object_per_text_matching_the_engine()
    {
        string[] texts = ["这家店的服务态度真是太好了", "质量太差，再也不买了", "一般般吧"];
        var run = await Zhsenti.RunAsync(null, ["predict", "--model", Model, "--cache-dir", Cache, "--json", .. texts]);
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var engine = ModelLoader.Load(Model, new ModelLoadOptions { CacheDirectory = Cache, Threads = 1 });
        var expected = engine.Predict(texts);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(texts.Length, lines.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var o = json.RootElement;
            Assert.Equal(texts[i], o.GetProperty("text").GetString());
            Assert.Equal(expected[i].Label, o.GetProperty("label").GetString());
            Assert.Equal(expected[i].Score, o.GetProperty("score").GetSingle(), 1e-6f);
            Assert.Equal(["负面", "正面"], o.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal(expected[i].Probabilities, o.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()));
            Assert.Equal(expected[i].Logits, o.GetProperty("logits").EnumerateArray().Select(p => p.GetSingle()));
        }
    }

    [Fact]
    public async Task Predict_reads_stdin_lines_in_order_and_marks_blank_ones_without_dropping_them()
    {
        var run = await Zhsenti.RunAsync("好评\n\n差评\n", "predict", "--model", Model, "--cache-dir", Cache, "--json");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("line 2: empty text", run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["好评", "", "差评"], lines.Select(l => l.GetProperty("text").GetString()));
        Assert.Equal("empty text", lines[1].GetProperty("error").GetString());
        Assert.True(lines[2].TryGetProperty("label", out _));
    }

    [Fact]
    public async Task Json_lines_keep_chinese_and_emoji_as_utf8()
    {
        var run = await Zhsenti.RunAsync(null, "predict", "--model", Model, "--cache-dir", Cache, "--json", "好评😊");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith("{\"text\":\"好评😊\",", run.Stdout, StringComparison.Ordinal);
        run = await Zhsenti.RunAsync(null, "tokenize", "--model", Model, "--cache-dir", Cache, "好😊");
        Assert.StartsWith("{\"text\":\"好😊\",", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_prints_tokens_and_ids_with_the_special_tokens()
    {
        var run = await Zhsenti.RunAsync(null, "tokenize", "--model", Model, "--cache-dir", Cache, "好^_^");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("好^_^", json.RootElement.GetProperty("text").GetString());
        Assert.Equal(["[CLS]", "好", "^", "_", "^", "[SEP]"], json.RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(6, json.RootElement.GetProperty("ids").GetArrayLength());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("int8")]
    public async Task Convert_writes_an_onnx_folder_that_loads_back_with_the_same_logits(string quantize)
    {
        string output = Path.Combine(_temp, "converted");
        var run = await Zhsenti.RunAsync(null, "convert", "--model", Model, "--output", output, "--quantize", quantize);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(File.Exists(Path.Combine(output, "model.onnx")));
        Assert.True(File.Exists(Path.Combine(output, "vocab.txt")));
        Assert.Equal(ModelFolderKind.Onnx, ModelFolder.Inspect(output).Kind);

        string[] texts = ["这家店的服务态度真是太好了", "质量太差"];
        var options = new ModelLoadOptions { CacheDirectory = Cache, Threads = 1, Quantize = quantize };
        using var original = ModelLoader.Load(Model, options);
        using var converted = ModelLoader.Load(output, options with { Quantize = "none" });
        Assert.Equal(quantize, converted.Info.Quantization);
        var a = original.Predict(texts);
        var b = converted.Predict(texts);
        // A converted folder may be served on another CPU, so its int8 weights are 7-bit everywhere; the cache's are
        // full-range where this CPU has VNNI, and then the two agree only to quantization's precision.
        bool sameWeights = converted.Info.Int8Weights == original.Info.Int8Weights;
        Assert.Equal(quantize == "int8" ? "7-bit" : null, converted.Info.Int8Weights);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(a[i].Logits, b[i].Logits, (x, y) => Math.Abs(x - y) < (sameWeights ? 1e-5 : 0.1));

        var again = await Zhsenti.RunAsync(null, "convert", "--model", Model, "--output", output);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
    }
}
