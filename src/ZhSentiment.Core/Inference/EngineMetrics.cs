using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZhSentiment.Inference;

/// <summary>
/// The engine's instruments on <see cref="System.Diagnostics.Metrics"/>; the service exports them as Prometheus text.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "ZhSentiment.Engine";

    private readonly Meter _meter;

    /// <summary>The span of <see cref="RecentQueueWait"/>: about one Prometheus scrape interval.</summary>
    public const int RecentSeconds = 10;

    /// <param name="queueDepth">Windows waiting for the model.</param>
    /// <param name="inFlight">Windows waiting for the model or in the batch it is running.</param>
    public EngineMetrics(Func<int> queueDepth, Func<int> inFlight)
    {
        _meter = new Meter(MeterName);
        BatchRows = _meter.CreateHistogram<int>("zhsenti_batch_rows", description: "Rows (text windows) per model batch");
        BatchTokens = _meter.CreateHistogram<int>("zhsenti_batch_tokens", description: "Padded tokens (rows x longest row) per model batch");
        InferenceSeconds = _meter.CreateHistogram<double>("zhsenti_inference_seconds", "s", "Model time per batch");
        QueueWaitSeconds = _meter.CreateHistogram<double>("zhsenti_queue_wait_seconds", "s", "Time a window waited for the model");
        _meter.CreateObservableGauge("zhsenti_queue_depth", queueDepth, description: "Windows waiting for the model");
        // What an autoscaler scales on: both read 0 when the replica is idle, so scaling down works.
        _meter.CreateObservableGauge("zhsenti_windows_in_flight", inFlight, description: "Windows waiting for the model or in the batch it is running");
        _meter.CreateObservableGauge("zhsenti_queue_wait_recent_seconds", () => RecentQueueWait.Average(Stopwatch.GetTimestamp()), "s",
            $"Mean time the windows batched in the last {RecentSeconds} s waited for the model; 0 when none were");
    }

    public RecentAverage RecentQueueWait { get; } = new(RecentSeconds);

    public Histogram<int> BatchRows { get; }
    public Histogram<int> BatchTokens { get; }
    public Histogram<double> InferenceSeconds { get; }
    public Histogram<double> QueueWaitSeconds { get; }

    public void Dispose() => _meter.Dispose();
}
