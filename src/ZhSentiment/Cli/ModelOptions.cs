using System.CommandLine;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Serving;

namespace ZhSentiment.Cli;

/// <summary>
/// The one declaration of the model options (<c>--model</c>, <c>--quantize</c>, <c>--threads</c>, <c>--cache-dir</c>,
/// <c>--offline</c>, <c>--long-text</c>) that every verb loading a model takes. Their defaults are <see cref="ServiceOptions"/>'s, the
/// ones <c>appsettings.json</c> lists, so <c>serve</c> and the offline verbs load a model the same way.
/// </summary>
internal sealed class ModelOptions
{
    private static readonly ServiceOptions Defaults = new();

    private readonly ConfigFlag[] _flags;

    /// <param name="modelDescription">What <c>--model</c> takes, where a verb takes more than a folder.</param>
    /// <param name="inference">False for verbs that only tokenize: they take no <c>--quantize</c> or <c>--long-text</c>.</param>
    /// <param name="model">The option that names the model, where a verb names it otherwise (train's <c>--teacher</c>, which has no default).</param>
    /// <param name="oneModel">False for <c>serve</c>, which declares its own repeatable <c>--model</c>; the other options are shared.</param>
    public ModelOptions(Command command, string modelDescription = "The model: a folder, or modelscope:ORG/NAME[@REV], downloaded into the cache.", bool inference = true, Option<string>? model = null,
        bool oneModel = true)
    {
        Model = model ?? new("--model") { Description = $"{modelDescription} Default: the shipped model.", HelpName = "DIR" };
        Quantize = QuantizeOption();
        Threads = CliValues.Whole("--threads", "N", $"ONNX Runtime threads (serve: of all its models together, split between them). Default: {(Defaults.Threads is { } n ? n : "the physical cores")}.", min: 1);
        CacheDirectory = CacheDirectoryOption();
        Offline = OfflineOption();
        LongText = CliValues.Choice("--long-text", $"Texts longer than the model's window: split into windows whose strongest, latest verdict counts most, or cut. Default: {Name(Defaults.LongText)}.",
            [.. Enum.GetValues<LongTextMode>().Select(Name)]);
        ConfigFlag[] always = [ConfigFlag.Of(Threads, nameof(ServiceOptions.Threads)), ConfigFlag.Of(CacheDirectory, nameof(ServiceOptions.CacheDirectory)), ConfigFlag.Of(Offline, nameof(ServiceOptions.Offline))];
        if (oneModel) always = [ConfigFlag.Of(Model, nameof(ServiceOptions.Model)), .. always];
        _flags = inference ? [.. always, ConfigFlag.Of(Quantize, nameof(ServiceOptions.Quantize)), ConfigFlag.Of(LongText, nameof(ServiceOptions.LongText))] : always;
        foreach (var flag in _flags) command.Options.Add(flag.Option);
    }

    /// <summary><c>--quantize</c>, also for <c>convert</c>, which writes a model rather than loading one.</summary>
    public static Option<string> QuantizeOption() =>
        CliValues.Choice("--quantize", $"int8 quantizes the encoder's matrix multiplications. Default: {Defaults.Quantize}.", "none", "int8");

    public static string DefaultQuantize => Defaults.Quantize;

    /// <summary><c>--cache-dir</c>, also for <c>download</c>.</summary>
    public static Option<string> CacheDirectoryOption() =>
        new("--cache-dir") { Description = "Cache for built models and downloads. Default: $ZHSENTI_CACHE or ~/.cache/zhsenti.", HelpName = "DIR" };

    /// <summary><c>--offline</c>, also for <c>download</c>.</summary>
    public static Option<bool> OfflineOption() =>
        new("--offline") { Description = $"Never use the network: modelscope: models come from the cache (zhsenti's or ModelScope's) or fail; also ZHSENTI_OFFLINE=1. Default: {Defaults.Offline.ToString().ToLowerInvariant()}." };

    public Option<string> Model { get; }
    public Option<string> Quantize { get; }
    public Option<int?> Threads { get; }
    public Option<string> CacheDirectory { get; }
    public Option<bool> Offline { get; }
    public Option<string> LongText { get; }

    /// <summary>The options as <c>ZhSentiment:KEY</c> configuration settings, for <c>serve</c>.</summary>
    public IReadOnlyList<ConfigFlag> Flags => _flags;

    /// <summary>
    /// The defaults with the options given on the command line, for the verbs that load a model themselves. Where the
    /// model comes from (cache, hub, offline) is read as <c>serve</c> reads it: <c>appsettings.json</c> beside the
    /// executable and the environment (<c>ZhSentiment__ModelScopeEndpoint</c>), under the flags.
    /// </summary>
    public ServiceOptions Read(ParseResult parse)
    {
        var options = Configured();
        options.Model = parse.GetValue(Model);
        options.Threads = parse.GetValue(Threads);
        if (parse.GetValue(CacheDirectory) is { } cache) options.CacheDirectory = cache;
        if (parse.GetValue(Offline)) options.Offline = true;
        if (parse.GetValue(Quantize) is { } quantize) options.Quantize = quantize;
        if (parse.GetValue(LongText) is { } longText) options.LongText = Enum.Parse<LongTextMode>(longText, ignoreCase: true);
        return options;
    }

    /// <summary>The model the options name, fetched into the cache when it is a ModelScope id, with its progress on stderr.</summary>
    public ModelReference Resolve(ParseResult parse, string verb) => Resolve(Read(parse), verb);

    /// <summary>The model <paramref name="options"/> name (from <see cref="Read"/>), as <see cref="Resolve(ParseResult, string)"/> resolves it.</summary>
    public ModelReference Resolve(ServiceOptions options, string verb) => Resolve(options, verb, $"{Model.Name}: ");

    /// <summary>Resolves <paramref name="options"/>' model; failures become one-line <see cref="CliException"/>s starting with <paramref name="prefix"/>.</summary>
    public static ModelReference Resolve(ServiceOptions options, string verb, string prefix)
    {
        try
        {
            var settings = options.ToModelScopeSettings();
            return DownloadReport.Run(verb, report => ModelSource.ResolveAsync(options.Model, settings, report, CancellationToken.None));
        }
        catch (Exception e) when (e is ModelScopeException or FormatException)
        {
            throw new CliException(prefix + e.Message);
        }
    }

    /// <summary>
    /// Loads the model the options name (the shipped model, a folder, or a ModelScope id downloaded into the cache, as
    /// <c>serve</c> resolves it); downloads and warnings go to stderr as <c>zhsenti VERB: ...</c>.
    /// </summary>
    public SentimentEngine Load(ParseResult parse, string verb, Func<ModelLoadOptions, ModelLoadOptions>? adjust = null)
    {
        var options = Read(parse);
        var model = Resolve(options, verb);
        var load = options.ToLoadOptions();
        return ModelLoader.Load(model, adjust?.Invoke(load) ?? load, warning => Console.Error.WriteLine(CliErrors.Format(verb, $"warning: {warning}")));
    }

    /// <summary>The settings of <c>appsettings.json</c> and the environment that say where models come from; the rest stay the defaults.</summary>
    public static ServiceOptions Configured()
    {
        var section = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build()
            .GetSection(ServiceOptions.Section);
        var options = new ServiceOptions
        {
            CacheDirectory = section[nameof(ServiceOptions.CacheDirectory)],
            ModelScopeEndpoint = section[nameof(ServiceOptions.ModelScopeEndpoint)],
        };
        if (section[nameof(ServiceOptions.Offline)] is { } offline)
            options.Offline = bool.TryParse(offline, out var value) ? value : throw new CliException($"{ServiceOptions.Section}:{nameof(ServiceOptions.Offline)} takes true or false, not '{offline}'");
        return options;
    }

    private static string Name(LongTextMode mode) => mode.ToString().ToLowerInvariant();
}
