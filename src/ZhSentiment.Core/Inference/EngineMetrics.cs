using System.Diagnostics.Metrics;

namespace ZhSentiment.Inference;

/// <summary>
/// The engine's instruments on <see cref="System.Diagnostics.Metrics"/>; the service exports them as Prometheus text.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "ZhSentiment.Engine";

    private readonly Meter _meter;

    public EngineMetrics(Func<int> queueDepth)
    {
        _meter = new Meter(MeterName);
        BatchRows = _meter.CreateHistogram<int>("zhsenti_batch_rows", description: "Rows (text windows) per model batch");
        BatchTokens = _meter.CreateHistogram<int>("zhsenti_batch_tokens", description: "Padded tokens (rows x longest row) per model batch");
        InferenceSeconds = _meter.CreateHistogram<double>("zhsenti_inference_seconds", "s", "Model time per batch");
        QueueWaitSeconds = _meter.CreateHistogram<double>("zhsenti_queue_wait_seconds", "s", "Time a window waited for the model");
        _meter.CreateObservableGauge("zhsenti_queue_depth", queueDepth, description: "Windows waiting for the model");
    }

    public Histogram<int> BatchRows { get; }
    public Histogram<int> BatchTokens { get; }
    public Histogram<double> InferenceSeconds { get; }
    public Histogram<double> QueueWaitSeconds { get; }

    public void Dispose() => _meter.Dispose();
}
