using System.Diagnostics.Metrics;
using Prometheus;
using ZhSentiment.Inference;

namespace ZhSentiment.Serving;

/// <summary>
/// <c>/metrics</c> in Prometheus text: requests by route, method and status with their latency (prometheus-net's HTTP
/// middleware) and the engine's instruments (queue wait and depth, batch rows and tokens, model time), exported from
/// System.Diagnostics.Metrics. Each service has its own registry, so several in one process stay apart.
/// </summary>
internal sealed class ServiceMetrics : IDisposable
{
    private readonly IDisposable _meterAdapter;

    public ServiceMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        _meterAdapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == SentimentEngine.MeterName,
            ResolveHistogramBuckets = Buckets,
        });
    }

    public CollectorRegistry Registry { get; }

    public void Dispose() => _meterAdapter.Dispose();

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
