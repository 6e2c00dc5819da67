using System.CommandLine;
using Microsoft.Extensions.Options;
using ZhSentiment.Inference;
using ZhSentiment.Serving;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti serve</c>: the HTTP service. Each flag sets one key of the <c>ZhSentiment</c> configuration section,
/// over <c>appsettings.json</c> and environment variables; other <c>--Section:Key=value</c> arguments reach the
/// ASP.NET Core configuration as they are.
/// </summary>
internal sealed class ServeCommand : Command
{
    private const string DefaultUrls = "http://127.0.0.1:5000";

    private static readonly (string Flag, string Key, string HelpName, string Description)[] Flags =
    [
        ("--model", "Model", "DIR|modelscope:ORG/NAME[@REV]", "The model: a folder, or a ModelScope model downloaded into the cache. Default: the shipped model."),
        ("--quantize", "Quantize", "none|int8", "int8 quantizes the encoder's matrix multiplications. Default: none."),
        ("--threads", "Threads", "N", "ONNX Runtime threads. Default: the physical cores."),
        ("--cache-dir", "CacheDirectory", "DIR", "Cache for built models and downloads. Default: $ZHSENTI_CACHE or ~/.cache/zhsenti."),
        ("--max-batch-tokens", "MaxBatchTokens", "N", "Most padded tokens in one model batch. Default: 2048."),
        ("--max-batch-rows", "MaxBatchRows", "N", "Most texts (windows) in one model batch. Default: 8."),
        ("--arena-keep-tokens", "ArenaKeepTokens", "N", "Batches of up to N padded tokens keep their activation memory for the next; larger ones give it back. Default: 512."),
        ("--max-batch-wait-ms", "MaxBatchWaitMs", "MS", "How long a lone request waits for others to share its batch. Default: 0."),
        ("--queue-capacity", "QueueCapacity", "N", "Windows that may wait for the model; beyond it requests get 503. Default: 4096."),
        ("--long-text", "LongText", "windows|truncate", "Texts longer than the model's window: average over windows, or cut. Default: windows."),
        ("--max-text-chars", "MaxTextChars", "N", "Longest accepted text in characters. Default: 10000."),
        ("--max-batch-texts", "MaxBatchTexts", "N", "Most texts per request. Default: 1000."),
        ("--max-body-bytes", "MaxRequestBodyBytes", "N", "Largest request body; larger get 413. Default: 4194304."),
        ("--request-timeout", "RequestTimeoutSeconds", "SECONDS", "Requests taking longer get 503 and their work is dropped. Default: 30."),
        ("--api-key", "ApiKey", "KEY", "Require Authorization: Bearer KEY (not on /health, /ready). Prefer ZhSentiment__ApiKey in the environment."),
    ];

    private readonly List<(Option<string> Option, string Key)> _settings = [];
    private readonly Option<string> _urls = new("--urls") { Description = $"Addresses to listen on, ';'-separated. Default: {DefaultUrls}.", HelpName = "URLS" };
    private readonly Option<string[]> _cors = new("--cors-origin") { Description = "Allow browser calls from this origin (repeatable). Default: none.", HelpName = "ORIGIN" };

    public ServeCommand() : base("serve", "Serve the model over HTTP: /predict, /predict_batch, /v1/sentiment, /info, /tokenize, /health, /ready, /metrics, /openapi/v1.json, /scalar.")
    {
        TreatUnmatchedTokensAsErrors = false;
        foreach (var (flag, key, helpName, description) in Flags)
        {
            var option = new Option<string>(flag) { Description = description, HelpName = helpName };
            Options.Add(option);
            _settings.Add((option, key));
        }
        Options.Add(_urls);
        Options.Add(_cors);
        SetAction((parse, _) => RunAsync(Settings(parse), [.. parse.UnmatchedTokens]));
    }

    /// <summary>Runs the service until SIGTERM or Ctrl+C; 0 after a graceful stop, 1 when the model or the settings are unusable.</summary>
    public static async Task<int> RunAsync(Dictionary<string, string?> settings, string[] args)
    {
        var builder = CreateBuilder(settings, args);
        WebApplication app;
        try
        {
            app = ServiceApp.Build(builder, LoadModel);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, e.Failures));
            return 1;
        }
        catch (InvalidDataException e)
        {
            await Console.Error.WriteLineAsync($"Cannot read the aspect presets: {e.Message}");
            return 1;
        }
        await using (app)
        {
            // Taken before the run: the host disposes its services when it stops.
            var model = app.Services.GetRequiredService<ModelHost>();
            try
            {
                await app.StartAsync();
                await app.WaitForShutdownAsync();
            }
            catch (IOException e)
            {
                // Kestrel cannot bind: address in use, no permission, bad address.
                await Console.Error.WriteLineAsync($"Cannot listen: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (model.Failure is not null)
            {
                // The model failed before the server had finished starting, which cancels the start.
            }
            if (model.Failure is null) return 0;
            await Console.Error.WriteLineAsync($"Cannot load the model: {model.Failure.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    /// <summary>The host builder with the service's configuration: appsettings.json beside the executable, the environment, then the flags.</summary>
    public static WebApplicationBuilder CreateBuilder(Dictionary<string, string?> settings, string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        if (!ListensSomewhere(builder.Configuration)) builder.WebHost.UseUrls(DefaultUrls);
        return builder;
    }

    /// <summary>The configuration keys the flags set.</summary>
    public Dictionary<string, string?> Settings(ParseResult parse)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (option, key) in _settings)
            if (parse.GetValue(option) is { } value) settings[$"{ServiceOptions.Section}:{key}"] = value;
        if (parse.GetValue(_urls) is { } urls) settings["urls"] = urls;
        var origins = parse.GetValue(_cors) ?? [];
        for (int i = 0; i < origins.Length; i++) settings[$"{ServiceOptions.Section}:{nameof(ServiceOptions.CorsOrigins)}:{i}"] = origins[i];
        return settings;
    }

    private static bool ListensSomewhere(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["urls"]) || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"]) || configuration.GetSection("Kestrel:Endpoints").Exists();

    private static ModelFactory LoadModel(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServiceOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ZhSentiment.Model");
        return async cancellationToken =>
        {
            var folder = await ModelSource.ResolveFolderAsync(options, logger, cancellationToken);
            // Conversion of a checkpoint takes seconds of CPU: keep it off the host's start-up thread.
            return await Task.Run(() => ModelLoader.Load(folder, options.ToLoadOptions(), message => logger.LogWarning("{Message}", message)), cancellationToken);
        };
    }
}
