using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ZhSentiment.Inference;
using ZhSentiment.Models;

namespace ZhSentiment.Serving;

/// <summary>
/// The service's settings, bound from the <c>ZhSentiment</c> configuration section: <c>appsettings.json</c>,
/// environment variables (<c>ZhSentiment__MaxTextChars=5000</c>) and the <c>serve</c> command's flags, in rising priority.
/// </summary>
public sealed class ServiceOptions
{
    public const string Section = "ZhSentiment";

    private static readonly EngineOptions EngineDefaults = new();

    /// <summary>A model folder, <c>modelscope:ORG/NAME[@REVISION]</c>, or null for the shipped default model. Served alone, when <see cref="Models"/> is empty.</summary>
    public string? Model { get; set; }

    /// <summary>The models <c>serve</c> serves, each under its name; the first is the default. Empty: <see cref="Model"/> alone.</summary>
    public ServedModelOptions[] Models { get; set; } = [];

    /// <summary><c>none</c> or <c>int8</c>; a model's own <see cref="ServedModelOptions.Quantize"/> wins.</summary>
    public string Quantize { get; set; } = "none";

    /// <summary>
    /// ONNX Runtime intra-op threads of all models together; null means the machine's physical cores for one model, and
    /// the processors .NET sees (the container's CPU limit) for several. See <see cref="ThreadShares"/> for the split.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Batches of up to this many padded tokens keep their activation memory for the next; larger ones give it back after their run.</summary>
    public int ArenaKeepTokens { get; set; } = OnnxClassifierOptions.DefaultArenaKeepTokens;

    /// <summary>Where built models and ModelScope downloads are cached; null means <c>$ZHSENTI_CACHE</c> or <c>~/.cache/zhsenti</c>.</summary>
    public string? CacheDirectory { get; set; }

    public int MaxBatchTokens { get; set; } = EngineDefaults.MaxBatchTokens;
    public int MaxBatchRows { get; set; } = EngineDefaults.MaxBatchRows;
    public double MaxBatchWaitMs { get; set; } = EngineDefaults.MaxBatchWait.TotalMilliseconds;

    /// <summary>Text windows that may wait for the model; beyond it requests get 503 with Retry-After.</summary>
    public int QueueCapacity { get; set; } = EngineDefaults.QueueCapacity;

    /// <summary>What to do with texts longer than one model window: <c>Windows</c> (combined, the strongest and latest deciding; see <see cref="WindowCombiner"/>) or <c>Truncate</c>.</summary>
    public LongTextMode LongText { get; set; } = EngineDefaults.LongText.Mode;

    /// <summary>Longest accepted text, in UTF-16 code units (one per Chinese character).</summary>
    public int MaxTextChars { get; set; } = 10_000;

    /// <summary>Most texts in one batch request.</summary>
    public int MaxBatchTexts { get; set; } = 1_000;

    /// <summary>Largest accepted request body; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long a request may take before it is answered 503 and its work dropped.</summary>
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>When set, every route but <c>/health</c> and <c>/ready</c> requires <c>Authorization: Bearer KEY</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>When set, the management routes (<c>POST /v1/models/{name}/reload</c>) exist and require <c>Authorization: Bearer KEY</c>; the API key does not open them.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Origins allowed to call the API from browsers; empty turns CORS off.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>The ModelScope hub that <c>modelscope:</c> models are downloaded from; null means <c>MODELSCOPE_DOMAIN</c> or <c>https://www.modelscope.cn</c>.</summary>
    public string? ModelScopeEndpoint { get; set; }

    /// <summary>Never download: <c>modelscope:</c> models come from the cache (ours or ModelScope's) or fail.</summary>
    public bool Offline { get; set; }

    /// <summary>How <c>modelscope:</c> models are fetched, from these settings and the environment.</summary>
    /// <exception cref="FormatException">The endpoint is not an http or https URL.</exception>
    public ModelScopeSettings ToModelScopeSettings() => ModelScopeSettings.Resolve(ModelScopeEndpoint, CacheDirectory, Offline);

    /// <summary>The models to serve, the default first, each named and with its load options; call after validation.</summary>
    public IReadOnlyList<ModelSpec> ModelSpecs()
    {
        var models = Served();
        var threads = ThreadShares.Split(Threads, [.. models.Select(m => m.Threads)], out _);
        var shared = ToLoadOptions();
        return [.. models.Select((m, i) => new ModelSpec(m.Name ?? ModelSource.NameOf(m.Source), m.Source, shared with
        {
            Quantize = m.Quantize ?? Quantize,
            Threads = threads[i],
            Engine = shared.Engine with { LongText = shared.Engine.LongText with { Mode = m.LongText ?? LongText } },
        }))];
    }

    /// <summary><see cref="Models"/>, or <see cref="Model"/> alone.</summary>
    internal ServedModelOptions[] Served() => Models.Length == 0 ? [new() { Source = Model }] : Models;

    /// <summary>The load options of a model that has none of its own (the offline verbs' one model).</summary>
    public ModelLoadOptions ToLoadOptions() => new()
    {
        Quantize = Quantize,
        Threads = Threads,
        ArenaKeepTokens = ArenaKeepTokens,
        CacheDirectory = CacheDirectory,
        Engine = new EngineOptions
        {
            MaxBatchTokens = MaxBatchTokens,
            MaxBatchRows = MaxBatchRows,
            MaxBatchWait = TimeSpan.FromMilliseconds(MaxBatchWaitMs),
            QueueCapacity = QueueCapacity,
            LongText = EngineDefaults.LongText with { Mode = LongText },
        },
    };
}

/// <summary>One entry of <c>ZhSentiment:Models</c>: a model to serve under a name, with the settings it does not share.</summary>
public sealed partial class ServedModelOptions
{
    /// <summary>What requests name it by (<c>"model": NAME</c>): letters, digits, <c>.</c>, <c>_</c> and <c>-</c>; by default named as <see cref="ModelSource.NameOf"/> says.</summary>
    public string? Name { get; set; }

    /// <summary>A folder, an ONNX export, <c>modelscope:ORG/NAME[@REV]</c>, or <c>default</c> for the shipped model.</summary>
    public string? Source { get; set; }

    /// <summary><c>none</c> or <c>int8</c>; null: <see cref="ServiceOptions.Quantize"/>.</summary>
    public string? Quantize { get; set; }

    /// <summary>This model's share of the threads; null: an equal share of what the others leave (<see cref="ThreadShares"/>).</summary>
    public int? Threads { get; set; }

    /// <summary>null: <see cref="ServiceOptions.LongText"/>.</summary>
    public LongTextMode? LongText { get; set; }

    /// <summary>Whether <paramref name="name"/> may name a model.</summary>
    public static bool IsValidName(string name) => ValidName().IsMatch(name);

    /// <summary>
    /// Splits <c>--model</c>'s <c>NAME=SOURCE</c>. A value is named when it has a <c>=</c> with no path separator before it,
    /// so a folder whose name holds <c>=</c> is given as <c>./a=b</c>; anything else is a bare source.
    /// </summary>
    public static (string? Name, string Source) Parse(string value)
    {
        int equals = value.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 || value.AsSpan(0, equals).IndexOfAny('/', '\\') >= 0 ? (null, value) : (value[..equals], value[(equals + 1)..]);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ValidName();
}

/// <summary>What <c>serve</c> loads under a name: where the model comes from and how to load it.</summary>
/// <param name="Source">A folder, <c>modelscope:ORG/NAME[@REV]</c>, or null or <c>default</c> for the shipped model.</param>
public sealed record ModelSpec(string Name, string? Source, ModelLoadOptions Load);

/// <summary>
/// How the models share the threads, so that all of them together never use more than the cores given: a model with
/// its own <c>Threads</c> gets them, and the others split what is left equally (the first ones one more while it does
/// not divide), at least one each. The total is <c>ZhSentiment:Threads</c>, or the processors .NET sees. One model
/// without either keeps ONNX Runtime's default, a thread per physical core.
/// </summary>
public static class ThreadShares
{
    /// <returns>Each model's threads (null: ONNX Runtime's default); <paramref name="error"/> says why they do not fit.</returns>
    public static int?[] Split(int? total, IReadOnlyList<int?> requested, out string? error)
    {
        error = null;
        if (requested is [null] && total is null) return [null];
        int cores = total ?? Environment.ProcessorCount;
        int given = requested.Sum(r => r ?? 0), sharing = requested.Count(r => r is null);
        if (given + sharing > cores)
        {
            error = $"the models need {given + sharing} threads ({(given > 0 ? $"{given} of their own Threads, " : "")}at least 1 for each of the other {sharing}) but " +
                    (total is null ? $"this machine has {cores} processors; set {ServiceOptions.Section}:Threads (--threads) to allow more." : $"{ServiceOptions.Section}:Threads is {cores}.");
            return [.. requested.Select(r => r ?? 1)];
        }
        int left = cores - given, k = 0;
        return [.. requested.Select(r => r ?? left / sharing + (k++ < left % sharing ? 1 : 0))];
    }
}

/// <summary>Refuses settings the service cannot run with, at start-up, with messages that name the key.</summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions o)
    {
        var errors = new List<string>();
        void Positive(double value, string key)
        {
            if (!(value > 0)) errors.Add($"{ServiceOptions.Section}:{key} must be positive (is {value}).");
        }
        ValidateModels(o, errors);
        if (o.Quantize is not ("none" or "int8")) errors.Add($"{ServiceOptions.Section}:Quantize must be none or int8 (is '{o.Quantize}').");
        if (o.Threads is { } threads) Positive(threads, nameof(o.Threads));
        Positive(o.ArenaKeepTokens, nameof(o.ArenaKeepTokens));
        Positive(o.MaxBatchTokens, nameof(o.MaxBatchTokens));
        Positive(o.MaxBatchRows, nameof(o.MaxBatchRows));
        if (!(o.MaxBatchWaitMs >= 0)) errors.Add($"{ServiceOptions.Section}:MaxBatchWaitMs must not be negative (is {o.MaxBatchWaitMs}).");
        Positive(o.QueueCapacity, nameof(o.QueueCapacity));
        Positive(o.MaxTextChars, nameof(o.MaxTextChars));
        Positive(o.MaxBatchTexts, nameof(o.MaxBatchTexts));
        Positive(o.MaxRequestBodyBytes, nameof(o.MaxRequestBodyBytes));
        Positive(o.RequestTimeoutSeconds, nameof(o.RequestTimeoutSeconds));
        if (o.ApiKey is { Length: 0 }) errors.Add($"{ServiceOptions.Section}:ApiKey must not be empty when set.");
        if (o.AdminKey is { Length: 0 }) errors.Add($"{ServiceOptions.Section}:AdminKey must not be empty when set.");
        if (o.AdminKey is not null && o.AdminKey == o.ApiKey) errors.Add($"{ServiceOptions.Section}:AdminKey must differ from ApiKey: the API key must not open the management routes.");
        try { o.ToModelScopeSettings(); }
        catch (FormatException e) { errors.Add(e.Message); }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateModels(ServiceOptions o, List<string> errors)
    {
        string models = $"{ServiceOptions.Section}:{nameof(ServiceOptions.Models)}";
        if (o.Model is not null && o.Models.Length > 0)
        {
            errors.Add($"{ServiceOptions.Section}:Model and {models} are both set; name the models in one place (a bare --model is {ServiceOptions.Section}:Model, --model NAME=SOURCE fills {models}).");
            return;
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var served = o.Served();
        for (int i = 0; i < served.Length; i++)
        {
            var m = served[i];
            string key = o.Models.Length == 0 ? $"{ServiceOptions.Section}:Model" : $"{models}:{i}";
            if (o.Models.Length > 0 && string.IsNullOrWhiteSpace(m.Source))
            {
                errors.Add($"{key}:Source is missing: give a folder, modelscope:ORG/NAME[@REV] or default (--model NAME=SOURCE).");
                continue;
            }
            string name;
            try { name = m.Name ?? ModelSource.NameOf(m.Source); }
            catch (FormatException e)
            {
                errors.Add($"{key}: {e.Message}");
                continue;
            }
            if (m.Name is not null && !ServedModelOptions.IsValidName(m.Name))
                errors.Add($"the model name '{m.Name}' ({key}:Name) may only hold letters, digits, '.', '_' and '-'.");
            else if (!names.Add(name))
                errors.Add($"two models are named '{name}' ({key}); give each model its own name (--model NAME=SOURCE).");
            if (m.Quantize is not (null or "none" or "int8")) errors.Add($"{key}:Quantize must be none or int8 (is '{m.Quantize}').");
            if (m.Threads is <= 0) errors.Add($"{key}:Threads must be positive (is {m.Threads}).");
        }
        if (errors.Count == 0 && o.Threads is null or > 0)
        {
            ThreadShares.Split(o.Threads, [.. served.Select(m => m.Threads)], out var error);
            if (error is not null) errors.Add(error[..1].ToUpperInvariant() + error[1..]);
        }
    }
}
