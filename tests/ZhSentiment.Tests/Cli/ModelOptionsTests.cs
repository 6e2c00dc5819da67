using System.CommandLine;
using System.Text.Json;
using ZhSentiment.Cli;
using ZhSentiment.Serving;

namespace ZhSentiment.Tests.Cli;

/// <summary>The model options are one declaration, and every default the help states is the one appsettings.json lists.</summary>
public sealed class ModelOptionsTests
{
    private static readonly JsonElement AppSettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "ZhSentiment", "appsettings.json")))
        .RootElement.GetProperty(ServiceOptions.Section);

    private static Command Verb(string name) => CommandLine.Root().Subcommands.Single(c => c.Name == name);

    [Fact]
    public void Every_verb_that_loads_a_model_takes_the_same_model_options()
    {
        string[] all = ["--model", "--quantize", "--threads", "--cache-dir", "--offline", "--long-text"];
        var verbs = new[] { "serve", "predict", "score", "eval" }.Select(Verb).ToArray();
        foreach (var name in all.Skip(1))
        {
            var descriptions = verbs.Select(v => v.Options.Single(o => o.Name == name).Description).Distinct();
            Assert.Single(descriptions);
        }
        foreach (var verb in verbs) Assert.Empty(all.Except(verb.Options.Select(o => o.Name)));
        // tokenize loads the model for its tokenizer only: no quantization, no long-text mode.
        Assert.Equal(["--cache-dir", "--model", "--offline", "--threads"], Verb("tokenize").Options.Select(o => o.Name).Intersect(all).Order());
    }

    [Fact]
    public void Offline_verbs_load_with_the_defaults_of_appsettings_json()
    {
        var predict = (PredictCommand)Verb("predict");
        var parse = new RootCommand { predict }.Parse(["predict", "x"]);
        var options = predict.Model.Read(parse);
        Assert.Equal(AppSettings.GetProperty(nameof(ServiceOptions.Quantize)).GetString(), options.Quantize);
        Assert.Equal(AppSettings.GetProperty(nameof(ServiceOptions.LongText)).GetString(), options.LongText.ToString());
        Assert.Null(options.Threads);
        Assert.Null(options.Model);

        parse = new RootCommand { predict }.Parse(["predict", "--quantize", "INT8", "--long-text", "truncate", "--threads", "2", "x"]);
        options = predict.Model.Read(parse);
        Assert.Equal(("int8", ZhSentiment.Inference.LongTextMode.Truncate, (int?)2), (options.Quantize, options.LongText, options.Threads));
    }

    [Fact]
    public void The_defaults_serve_help_states_are_those_of_appsettings_json()
    {
        var serve = (ServeCommand)Verb("serve");
        int checkedFlags = 0;
        foreach (var flag in serve.Flags)
        {
            var key = flag.Key[(ServiceOptions.Section.Length + 1)..];
            if (!AppSettings.TryGetProperty(key, out var value)) continue;
            var stated = $"Default: {(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())}.";
            Assert.True(flag.Option.Description!.Contains(stated, StringComparison.OrdinalIgnoreCase), $"{flag.Option.Name} ({key}): help says '{flag.Option.Description}', appsettings.json {stated}");
            checkedFlags++;
        }
        Assert.Equal(12, checkedFlags);
    }
}
