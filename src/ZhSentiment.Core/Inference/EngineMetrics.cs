using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZhSentiment.Inference;

/// <summary>
/// The engine's instruments on <see cref="System.Diagnostics.Metrics"/>; the service exports them as Prometheus text.
/// Each engine has its own meter, tagged <c>model</c> with the engine's name, so the engines of one process stay apart.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "ZhSentiment.Engine";

    /// <summary>The meter's tag that names the engine's model.</summary>
    public const string ModelTag = "model";

    private readonly Meter _meter;

    /// <summary>The span of <see cref="RecentQueueWait"/>: about one Prometheus scrape interval.</summary>
    public const int RecentSeconds = 10;

    /// <param name="queueDepth">Windows waiting for the model.</param>
    /// <param name="inFlight">Windows waiting for the model or in the batch it is running.</param>
    /// <param name="model">The engine's name, the value of the meter's <c>model</c> tag.</param>
    public EngineMetrics(string model, Func<int> queueDepth, Func<int> inFlight)
    {
        _meter = new Meter(new MeterOptions(MeterName) { Tags = [new(ModelTag, model)] });
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
