using System.CommandLine;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Serving;

namespace ZhSentiment.Cli;

/// <summary>
/// The one declaration of the model options (<c>--model</c>, <c>--quantize</c>, <c>--threads</c>, <c>--cache-dir</c>,
/// <c>--long-text</c>) that every verb loading a model takes. Their defaults are <see cref="ServiceOptions"/>'s, the
/// ones <c>appsettings.json</c> lists, so <c>serve</c> and the offline verbs load a model the same way.
/// </summary>
internal sealed class ModelOptions
{
    private static readonly ServiceOptions Defaults = new();

    private readonly ConfigFlag[] _flags;

    /// <param name="modelDescription">What <c>--model</c> takes, where a verb takes more than a folder.</param>
    /// <param name="inference">False for verbs that only tokenize: they take no <c>--quantize</c> or <c>--long-text</c>.</param>
    /// <param name="model">The option that names the model, where a verb names it otherwise (train's <c>--teacher</c>, which has no default).</param>
    public ModelOptions(Command command, string modelDescription = "The model: a folder, or modelscope:ORG/NAME[@REV], downloaded into the cache.", bool inference = true, Option<string>? model = null)
    {
        Model = model ?? new("--model") { Description = $"{modelDescription} Default: the shipped model.", HelpName = "DIR" };
        Quantize = QuantizeOption();
        Threads = CliValues.Whole("--threads", "N", $"ONNX Runtime threads. Default: {(Defaults.Threads is { } n ? n : "the physical cores")}.", min: 1);
        CacheDirectory = new("--cache-dir") { Description = "Cache for built models and downloads. Default: $ZHSENTI_CACHE or ~/.cache/zhsenti.", HelpName = "DIR" };
        LongText = CliValues.Choice("--long-text", $"Texts longer than the model's window: split into windows whose strongest, latest verdict counts most, or cut. Default: {Name(Defaults.LongText)}.",
            [.. Enum.GetValues<LongTextMode>().Select(Name)]);
        ConfigFlag[] always = [ConfigFlag.Of(Model, nameof(ServiceOptions.Model)), ConfigFlag.Of(Threads, nameof(ServiceOptions.Threads)), ConfigFlag.Of(CacheDirectory, nameof(ServiceOptions.CacheDirectory))];
        _flags = inference ? [.. always, ConfigFlag.Of(Quantize, nameof(ServiceOptions.Quantize)), ConfigFlag.Of(LongText, nameof(ServiceOptions.LongText))] : always;
        foreach (var flag in _flags) command.Options.Add(flag.Option);
    }

    /// <summary><c>--quantize</c>, also for <c>convert</c>, which writes a model rather than loading one.</summary>
    public static Option<string> QuantizeOption() =>
        CliValues.Choice("--quantize", $"int8 quantizes the encoder's matrix multiplications. Default: {Defaults.Quantize}.", "none", "int8");

    public static string DefaultQuantize => Defaults.Quantize;

    public Option<string> Model { get; }
    public Option<string> Quantize { get; }
    public Option<int?> Threads { get; }
    public Option<string> CacheDirectory { get; }
    public Option<string> LongText { get; }

    /// <summary>The options as <c>ZhSentiment:KEY</c> configuration settings, for <c>serve</c>.</summary>
    public IReadOnlyList<ConfigFlag> Flags => _flags;

    /// <summary>The defaults with the options given on the command line, for the verbs that load a model themselves.</summary>
    public ServiceOptions Read(ParseResult parse)
    {
        var options = new ServiceOptions
        {
            Model = parse.GetValue(Model),
            Threads = parse.GetValue(Threads),
            CacheDirectory = parse.GetValue(CacheDirectory),
        };
        if (parse.GetValue(Quantize) is { } quantize) options.Quantize = quantize;
        if (parse.GetValue(LongText) is { } longText) options.LongText = Enum.Parse<LongTextMode>(longText, ignoreCase: true);
        return options;
    }

    /// <summary>
    /// Loads the model the options name (the shipped model, a folder, or a ModelScope id downloaded into the cache, as
    /// <c>serve</c> resolves it); downloads and warnings go to stderr as <c>zhsenti VERB: ...</c>.
    /// </summary>
    public SentimentEngine Load(ParseResult parse, string verb, Func<ModelLoadOptions, ModelLoadOptions>? adjust = null)
    {
        var options = Read(parse);
        string folder;
        try
        {
            folder = ModelSource.ResolveFolderAsync(options, line => Console.Error.WriteLine(CliErrors.Format(verb, line)), CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is ModelScopeException or FormatException)
        {
            throw new CliException($"{Model.Name}: {e.Message}");
        }
        var load = options.ToLoadOptions();
        return ModelLoader.Load(folder, adjust?.Invoke(load) ?? load, warning => Console.Error.WriteLine(CliErrors.Format(verb, $"warning: {warning}")));
    }

    private static string Name(LongTextMode mode) => mode.ToString().ToLowerInvariant();
}
