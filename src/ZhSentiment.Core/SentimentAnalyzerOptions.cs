using ZhSentiment.Inference;
using ZhSentiment.Models;

namespace ZhSentiment;

/// <summary>How <see cref="SentimentAnalyzer.LoadAsync"/> loads and runs a model. The defaults suit most applications.</summary>
public sealed class SentimentAnalyzerOptions
{
    /// <summary><c>none</c> keeps fp32 weights; <c>int8</c> quantizes a PyTorch or safetensors checkpoint's matrix multiplications.</summary>
    public string Quantize { get; set; } = "none";

    /// <summary>ONNX Runtime intra-op threads; null means the machine's physical cores.</summary>
    public int? Threads { get; set; }

    /// <summary>Where checkpoints converted to ONNX and ModelScope downloads are cached; null means <c>$ZHSENTI_CACHE</c> or <c>~/.cache/zhsenti</c>.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Batching, queue and long-text behaviour of the engine; see <see cref="EngineOptions"/>.</summary>
    public EngineOptions Engine { get; set; } = new();

    /// <summary>The ModelScope hub for <c>modelscope:</c> ids; null means <c>MODELSCOPE_DOMAIN</c> or the public hub.</summary>
    public string? ModelScopeEndpoint { get; set; }

    /// <summary>Never contact ModelScope: a <c>modelscope:</c> id must already be in the cache.</summary>
    public bool Offline { get; set; }

    /// <summary>Receives what a ModelScope download does (progress, retries); null ignores it.</summary>
    public Action<DownloadEvent>? OnDownload { get; set; }

    /// <summary>Receives warnings while loading (e.g. an unusable cache entry rebuilt); null ignores them.</summary>
    public Action<string>? OnWarning { get; set; }

    internal ModelLoadOptions ToLoadOptions() => new()
    {
        Quantize = Quantize,
        Threads = Threads,
        CacheDirectory = CacheDirectory,
        Engine = Engine,
    };
}
