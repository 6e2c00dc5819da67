using System.Diagnostics.Metrics;
using Prometheus;
using ZhSentiment.Inference;

namespace ZhSentiment.Serving;

/// <summary>
/// <c>/metrics</c> in Prometheus text: requests by route, method and status with their latency (prometheus-net's HTTP
/// middleware) and the engine's System.Diagnostics.Metrics instruments under their own names (queue wait and depth,
/// windows in flight, recent mean queue wait, batch rows and tokens, model time), each labelled <c>model</c> with the
/// engine's name; and <c>zhsenti_predictions_total</c>, the texts the model classified by route and model (an analysis
/// counts every prediction it made). Each service has its own registry, so several in one process stay apart.
/// </summary>
/// <remarks>prometheus-net's MeterAdapter would prefix every family with the meter's name; this bridge keeps the instruments' names.</remarks>
internal sealed class ServiceMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly IMetricFactory _factory;
    private static readonly string[] ModelLabel = [SentimentEngine.MeterModelTag];

    private readonly Dictionary<Instrument, object> _metrics = [];
    private readonly Counter _predictions;

    public ServiceMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        _factory = Metrics.WithCustomRegistry(Registry);
        _predictions = _factory.CreateCounter("zhsenti_predictions_total", "Texts the model classified, by route and model (an analysis counts every prediction it made)",
            new CounterConfiguration { LabelNames = ["route", SentimentEngine.MeterModelTag] });
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != SentimentEngine.MeterName) return;
            lock (_metrics)
            {
                string model = instrument.Meter.Tags?.FirstOrDefault(t => t.Key == SentimentEngine.MeterModelTag).Value as string ?? "";
                _metrics[instrument] = instrument is ObservableGauge<int> or ObservableGauge<double>
                    ? _factory.CreateGauge(instrument.Name, instrument.Description ?? instrument.Name, ModelLabel).WithLabels(model)
                    : _factory.CreateHistogram(instrument.Name, instrument.Description ?? instrument.Name,
                        new HistogramConfiguration { Buckets = Buckets(instrument), LabelNames = ModelLabel }).WithLabels(model);
            }
            listener.EnableMeasurementEvents(instrument);
        };
        // A replaced engine's instruments end with its meter; forgetting them lets the engine's memory go.
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_metrics) _metrics.Remove(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument, value));
        _listener.Start();
        Registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    public CollectorRegistry Registry { get; }

    public void Dispose() => _listener.Dispose();

    public void CountPredictions(string route, string model, int predictions) => _predictions.WithLabels(route, model).Inc(predictions);

    private void Record(Instrument instrument, double value)
    {
        object? metric;
        lock (_metrics) _metrics.TryGetValue(instrument, out metric);
        if (metric is IHistogram histogram) histogram.Observe(value);
        else if (metric is IGauge gauge) gauge.Set(value);
    }

    private static double[] Buckets(Instrument instrument) => instrument.Unit == "s"
        ? Histogram.ExponentialBuckets(0.0001, 2, 16) // 0.1 ms .. 3.3 s
        : Histogram.ExponentialBuckets(1, 2, 17);     // 1 .. 65536 rows or tokens
}

internal static class MetricsEndpoints
{
    public static void UseServiceMetrics(this IApplicationBuilder app, ServiceMetrics metrics) =>
        app.UseHttpMetrics(options => options.SetMetricFactory(Metrics.WithCustomRegistry(metrics.Registry)));

    public static IEndpointConventionBuilder MapServiceMetrics(this IEndpointRouteBuilder routes, ServiceMetrics metrics) =>
        routes.MapMetrics("/metrics", metrics.Registry).ExcludeFromDescription();
}
