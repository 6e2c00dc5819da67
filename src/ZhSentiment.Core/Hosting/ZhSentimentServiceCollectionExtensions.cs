using ZhSentiment;
using ZhSentiment.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="SentimentAnalyzer"/> with dependency injection.</summary>
public static class ZhSentimentServiceCollectionExtensions
{
    /// <summary>The name of the health check <see cref="AddZhSentiment"/> registers.</summary>
    public const string HealthCheckName = "zhsentiment";

    /// <summary>
    /// Registers one <see cref="SentimentAnalyzer"/> for the whole application (a singleton: it is thread-safe and batches
    /// concurrent callers), loaded in the background when the host starts, and a health check named
    /// <see cref="HealthCheckName"/> (tagged <c>ready</c>) that is unhealthy while the model loads or when it failed to load.
    /// Resolving the analyzer waits for the load and throws its error if it failed.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="model">As <see cref="SentimentAnalyzer.LoadAsync"/>: null for the shipped model, a folder, or <c>modelscope:ORG/NAME</c>.</param>
    /// <param name="configure">Sets the options; null keeps the defaults.</param>
    /// <example><code>builder.Services.AddZhSentiment(); app.MapHealthChecks("/healthz");</code></example>
    public static IServiceCollection AddZhSentiment(this IServiceCollection services, string? model = null, Action<SentimentAnalyzerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SentimentAnalyzerOptions();
        configure?.Invoke(options);
        services.AddSingleton(new AnalyzerLoader(model, options));
        services.AddSingleton(provider => provider.GetRequiredService<AnalyzerLoader>().Wait());
        services.AddHostedService(provider => provider.GetRequiredService<AnalyzerLoader>());
        services.AddHealthChecks().AddCheck<AnalyzerHealthCheck>(HealthCheckName, tags: ["ready"]);
        return services;
    }
}
