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

    /// <summary>A model folder, <c>modelscope:ORG/NAME[@REVISION]</c>, or null for the shipped default model.</summary>
    public string? Model { get; set; }

    /// <summary><c>none</c> or <c>int8</c>.</summary>
    public string Quantize { get; set; } = "none";

    /// <summary>ONNX Runtime intra-op threads; null means the machine's physical cores.</summary>
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

    /// <summary>Origins allowed to call the API from browsers; empty turns CORS off.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>The ModelScope hub that <c>modelscope:</c> models are downloaded from; null means <c>MODELSCOPE_DOMAIN</c> or <c>https://www.modelscope.cn</c>.</summary>
    public string? ModelScopeEndpoint { get; set; }

    /// <summary>Never download: <c>modelscope:</c> models come from the cache (ours or ModelScope's) or fail.</summary>
    public bool Offline { get; set; }

    /// <summary>How <c>modelscope:</c> models are fetched, from these settings and the environment.</summary>
    /// <exception cref="FormatException">The endpoint is not an http or https URL.</exception>
    public ModelScopeSettings ToModelScopeSettings() => ModelScopeSettings.Resolve(ModelScopeEndpoint, CacheDirectory, Offline);

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
        if (o.Model is { } model && ModelScopeId.IsModelScope(model))
        {
            try { ModelScopeId.Parse(model); }
            catch (FormatException e) { errors.Add($"{ServiceOptions.Section}:Model: {e.Message}"); }
        }
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
        try { o.ToModelScopeSettings(); }
        catch (FormatException e) { errors.Add(e.Message); }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
