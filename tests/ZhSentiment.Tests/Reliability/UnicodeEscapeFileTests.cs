using System.Text;
using ZhSentiment.Checkpoints;
using ZhSentiment.Graph;
using ZhSentiment.Inference;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// JSON model files whose strings escape a lone surrogate (<c>"\ud800"</c>): valid UTF-8 and valid JSON syntax, but
/// no valid text. Found by the model-file fuzzer; each is refused as the file's own error.
/// </summary>
public sealed class UnicodeEscapeFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-escape-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyOf(string fixture)
    {
        var target = Path.Combine(_dir, fixture);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.Fixtures, "models", fixture))) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    [Fact]
    public void A_safetensors_tensor_name()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var header = Encoding.UTF8.GetBytes("{\"w\\ud800\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)header.Length), .. header, 0, 0, 0, 0]);
        var e = Assert.Throws<ModelFormatException>(() => CheckpointReader.Read(path));
        Assert.Contains("not valid Unicode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_json_label_and_model_type()
    {
        var config = File.ReadAllText(Path.Combine(TestPaths.Fixtures, "models", "modelscope", "config.json"));
        var e = Assert.Throws<ModelFormatException>(() => BertConfig.Parse(config.Replace("\"负面\"", "\"\\udc00\"", StringComparison.Ordinal)));
        Assert.Contains("not valid Unicode", e.Message, StringComparison.Ordinal);

        var folder = CopyOf("modelscope");
        File.WriteAllText(Path.Combine(folder, "config.json"), config.Replace("\"structbert\"", "\"struct\\ud800\"", StringComparison.Ordinal));
        e = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(folder, new ModelLoadOptions { CacheDirectory = Path.Combine(_dir, "cache") }));
        Assert.Contains("not valid Unicode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tokenizer_json_token_and_a_tokenizer_config_value()
    {
        var folder = CopyOf("hf-tokenizer-json");
        var json = Path.Combine(folder, "tokenizer.json");
        var original = File.ReadAllText(json);
        File.WriteAllText(json, original.Replace("\"[UNK]\":", "\"[UNK]\\ud800\":", StringComparison.Ordinal));
        Assert.Contains("not valid Unicode", Assert.Throws<ModelFormatException>(() => BertTokenizer.Load(folder)).Message, StringComparison.Ordinal);

        File.WriteAllText(json, original);
        var config = Path.Combine(folder, "tokenizer_config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"[UNK]\"", "\"\\ud800\"", StringComparison.Ordinal));
        Assert.Contains("not valid Unicode", Assert.Throws<ModelFormatException>(() => BertTokenizer.Load(folder)).Message, StringComparison.Ordinal);
    }
}
