using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Serving;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti serve</c>: the HTTP service. Each flag sets one key of the <c>ZhSentiment</c> configuration section,
/// over <c>appsettings.json</c> and environment variables; other <c>--Section:Key=value</c> arguments reach the
/// ASP.NET Core configuration as they are. Anything else is refused rather than ignored.
/// </summary>
internal sealed class ServeCommand : Command
{
    private const string DefaultHost = "127.0.0.1";
    private const int DefaultPort = 5000;
    private static readonly string DefaultUrls = $"http://{DefaultHost}:{DefaultPort}";
    private static readonly ServiceOptions Defaults = new();

    private readonly List<ConfigFlag> _flags = [];
    private readonly Option<string> _urls = new("--urls") { Description = $"Addresses to listen on, ';'-separated. Default: {DefaultUrls}.", HelpName = "URLS" };
    private readonly Option<string> _host = new("--host") { Description = $"Shorthand for --urls http://HOST:PORT (e.g. 0.0.0.0 to listen on every interface). Default: {DefaultHost}.", HelpName = "HOST" };
    private readonly Option<int?> _port = CliValues.Whole("--port", "PORT", $"Shorthand for --urls http://HOST:PORT (0: any free port). Default: {DefaultPort}.", min: 0, max: 65535);
    private readonly Option<string[]> _cors = new("--cors-origin") { Description = "Allow browser calls from this origin (repeatable). Default: none.", HelpName = "ORIGIN" };
    private readonly Option<string[]> _models = new("--model")
    {
        Description = "A model to serve: NAME=SOURCE, where SOURCE is a folder, an ONNX export, modelscope:ORG/NAME[@REV] or default (the shipped model); " +
                      "repeat it to serve several, the first being the default. A bare SOURCE is named after it (default, the folder's name, ORG/NAME[@REV]). Default: the shipped model.",
        HelpName = "[NAME=]SOURCE",
    };

    public ServeCommand() : base("serve", "Serve models over HTTP: the web page at /, /predict, /predict_batch, /v1/sentiment, /v1/emotion, /v1/analyze, /v1/models, /info, /tokenize, /health, /ready, /metrics, /openapi/v1.json, /scalar/v1.")
    {
        // Unmatched tokens are checked by Unknown: --Section:Key=value settings pass, anything else is refused.
        TreatUnmatchedTokensAsErrors = false;
        Options.Add(_models);
        _flags.AddRange(new ModelOptions(this, oneModel: false).Flags);
        Add(CliValues.Whole("--max-batch-tokens", "N", $"Most padded tokens in one model batch. Default: {Defaults.MaxBatchTokens}.", min: 1), nameof(ServiceOptions.MaxBatchTokens));
        Add(CliValues.Whole("--max-batch-rows", "N", $"Most texts (windows) in one model batch. Default: {Defaults.MaxBatchRows}.", min: 1), nameof(ServiceOptions.MaxBatchRows));
        Add(CliValues.Whole("--arena-keep-tokens", "N", $"Batches of up to N padded tokens keep their activation memory for the next; larger ones give it back. Default: {Defaults.ArenaKeepTokens}.", min: 1), nameof(ServiceOptions.ArenaKeepTokens));
        Add(CliValues.Number("--max-batch-wait-ms", "MS", $"How long a lone request waits for others to share its batch. Default: {Defaults.MaxBatchWaitMs}.", min: 0, minAllowed: true), nameof(ServiceOptions.MaxBatchWaitMs));
        Add(CliValues.Whole("--queue-capacity", "N", $"Windows that may wait for the model; beyond it requests get 503. Default: {Defaults.QueueCapacity}.", min: 1), nameof(ServiceOptions.QueueCapacity));
        Add(CliValues.Whole("--max-text-chars", "N", $"Longest accepted text in characters. Default: {Defaults.MaxTextChars}.", min: 1), nameof(ServiceOptions.MaxTextChars));
        Add(CliValues.Whole("--max-batch-texts", "N", $"Most texts per request. Default: {Defaults.MaxBatchTexts}.", min: 1), nameof(ServiceOptions.MaxBatchTexts));
        Add(CliValues.Long("--max-body-bytes", "N", $"Largest request body; larger get 413. Default: {Defaults.MaxRequestBodyBytes}.", min: 1), nameof(ServiceOptions.MaxRequestBodyBytes));
        Add(CliValues.Number("--request-timeout", "SECONDS", $"Requests taking longer get 503 and their work is dropped. Default: {Defaults.RequestTimeoutSeconds}.", min: 0, minAllowed: false), nameof(ServiceOptions.RequestTimeoutSeconds));
        Add(new Option<string>("--api-key") { Description = "Require Authorization: Bearer KEY (not on /health, /ready, the page's files). Prefer ZhSentiment__ApiKey in the environment.", HelpName = "KEY" }, nameof(ServiceOptions.ApiKey));
        Add(new Option<string>("--admin-key") { Description = "Open the management routes (POST /v1/models/NAME/reload) to Authorization: Bearer KEY; without it they do not exist. Prefer ZhSentiment__AdminKey in the environment.", HelpName = "KEY" }, nameof(ServiceOptions.AdminKey));
        Options.Add(_urls);
        Options.Add(_host);
        Options.Add(_port);
        Options.Add(_cors);
        Validators.Add(ValidateAddresses);
        SetAction((parse, _) => RunAsync(Settings(parse), [.. parse.UnmatchedTokens]));
    }

    /// <summary>The flags that set <c>ZhSentiment:</c> settings.</summary>
    public IReadOnlyList<ConfigFlag> Flags => _flags;

    private void Add<T>(Option<T> option, string key)
    {
        Options.Add(option);
        _flags.Add(ConfigFlag.Of(option, key));
    }

    /// <summary>Runs the service until SIGTERM or Ctrl+C, reloading every model on SIGHUP; 0 after a graceful stop, 1 when a model or the settings are unusable.</summary>
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
            return Fail(string.Join(" ", e.Failures));
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException or ArgumentException or OverflowException)
        {
            // A value from appsettings.json or the environment that does not convert, e.g. ZhSentiment__Threads=abc.
            return Fail($"{e.Message} Fix it in appsettings.json or the environment.");
        }
        catch (InvalidDataException e)
        {
            return Fail($"cannot read the aspect presets: {e.Message}");
        }
        await using (app)
        {
            // Taken before the run: the host disposes its services when it stops.
            var models = app.Services.GetRequiredService<ModelRegistry>();
            var stopping = app.Lifetime.ApplicationStopping;
            using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                _ = models.ReloadAllAsync(stopping);
            });
            try
            {
                await app.StartAsync();
                LogAddresses(app);
                await app.WaitForShutdownAsync();
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
                // Kestrel cannot bind: address in use, no permission, an address that is not one.
                return Fail($"cannot listen: {e.Message}");
            }
            catch (OperationCanceledException) when (models.Failure is not null)
            {
                // A model failed before the server had finished starting, which cancels the start.
            }
            if (models.Failure is not { } failure) return 0;
            return Fail(models.Models.Count == 1 ? $"cannot load the model: {failure.Reason}" : $"cannot load the model {failure.Model.Name}: {failure.Reason}");
        }
    }

    private static int Fail(string message) => CliErrors.Report("serve", message);

    /// <summary>The host builder with the service's configuration: appsettings.json beside the executable, the environment, then the flags.</summary>
    public static WebApplicationBuilder CreateBuilder(Dictionary<string, string?> settings, string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        if (!ListensSomewhere(builder.Configuration)) builder.WebHost.UseUrls(DefaultUrls);
        // The host logs a failed start with its stack trace; RunAsync reports it in one line instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        return builder;
    }

    /// <summary>The configuration keys the flags set.</summary>
    public Dictionary<string, string?> Settings(ParseResult parse)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var flag in _flags)
            if (flag.Value(parse) is { } value) settings[flag.Key] = value;
        if (Urls(parse) is { } urls) settings["urls"] = urls;
        var models = parse.GetValue(_models) ?? [];
        if (models is [var bare] && ServedModelOptions.Parse(bare).Name is null)
        {
            settings[$"{ServiceOptions.Section}:{nameof(ServiceOptions.Model)}"] = bare;
        }
        else
        {
            for (int i = 0; i < models.Length; i++)
            {
                var (name, source) = ServedModelOptions.Parse(models[i]);
                string key = $"{ServiceOptions.Section}:{nameof(ServiceOptions.Models)}:{i}:";
                if (name is not null) settings[key + nameof(ServedModelOptions.Name)] = name;
                settings[key + nameof(ServedModelOptions.Source)] = source;
            }
        }
        var origins = parse.GetValue(_cors) ?? [];
        for (int i = 0; i < origins.Length; i++) settings[$"{ServiceOptions.Section}:{nameof(ServiceOptions.CorsOrigins)}:{i}"] = origins[i];
        return settings;
    }

    /// <summary>The unmatched arguments that are not configuration settings (<c>--Section:Key=value</c> or <c>--Section:Key value</c>).</summary>
    public IEnumerable<string> Unknown(IReadOnlyList<string> unmatched)
    {
        for (int i = 0; i < unmatched.Count; i++)
        {
            if (!IsSetting(unmatched[i])) yield return unmatched[i];
            else if (!unmatched[i].Contains('=') && i + 1 < unmatched.Count && !CommandLine.LooksLikeOption(unmatched[i + 1])) i++;
        }
    }

    private static bool IsSetting(string token) => token.StartsWith("--", StringComparison.Ordinal) && token.Split('=')[0].Contains(':');

    private string? Urls(ParseResult parse)
    {
        if (parse.GetValue(_urls) is { } urls) return urls;
        string? host = parse.GetValue(_host);
        int? port = parse.GetValue(_port);
        if (host is null && port is null) return null;
        host ??= DefaultHost;
        // An IPv6 address needs brackets in a URL.
        if (host.Contains(':') && !host.StartsWith('[')) host = $"[{host}]";
        return $"http://{host}:{port ?? DefaultPort}";
    }

    private void ValidateAddresses(CommandResult result)
    {
        if (result.GetResult(_urls) is not null && (result.GetResult(_host) is not null || result.GetResult(_port) is not null))
        {
            result.AddError("give either --urls or --host/--port, not both");
            return;
        }
        if (result.GetValue(_host) is { } host && host is not ("*" or "+") && Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            result.AddError($"--host takes a host name or IP address such as 0.0.0.0, not '{host}'");
            return;
        }
        foreach (var address in (result.GetValue(_urls) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? problem = null;
            try
            {
                if (BindingAddress.Parse(address).Scheme is not ("http" or "https")) problem = "is not http or https";
            }
            catch (FormatException)
            {
                problem = "is not a URL";
            }
            if (problem is not null)
            {
                result.AddError($"--urls: '{address}' {problem}; give addresses such as http://0.0.0.0:5000, ';'-separated");
                return;
            }
        }
    }

    private static bool ListensSomewhere(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["urls"]) || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"]) || configuration.GetSection("Kestrel:Endpoints").Exists();

    /// <summary>Where the page and the API reference are, so a new user need not guess.</summary>
    private static void LogAddresses(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ZhSentiment.Serve");
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses.Select(a => a.TrimEnd('/')))
            Log.Listening(logger, address, address);
    }

    private static ModelFactory LoadModel(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServiceOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ZhSentiment.Model");
        return async (spec, cancellationToken) =>
        {
            var resolved = await ModelSource.ResolveAsync(spec.Source, options.ToModelScopeSettings(), e =>
            {
                if (e.Stage == DownloadStage.Warning) logger.LogWarning("{Message}", e.Message);
                else if (e.Stage != DownloadStage.Progressed) Log.Download(logger, e.Message);
            }, cancellationToken);
            // Served under the spec's name, which requests, answers, logs and metrics use alike.
            var model = resolved with { Name = spec.Name };
            // Conversion of a checkpoint takes seconds of CPU: keep it off the host's start-up thread.
            return await Task.Run(() => ModelLoader.Load(model, spec.Load, message => logger.LogWarning("{Message}", message)), cancellationToken);
        };
    }
}
