using System.Text.Json;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using ZhSentiment.Analysis;
using ZhSentiment.Web;

namespace ZhSentiment.Serving;

/// <summary>
/// The HTTP service around the engine: one place that registers its services and builds its pipeline, used alike by
/// <c>zhsenti serve</c> and by the tests.
/// </summary>
public static class ServiceApp
{
    /// <summary>How much of a body over the limit is read and discarded so that the client gets to read its 413.</summary>
    public const long DrainBytes = 16 * 1024 * 1024;

    /// <summary>Adds the service to <paramref name="builder"/> and builds it.</summary>
    /// <param name="modelFactory">Makes the function that loads a model, given the configured services.</param>
    public static WebApplication Build(WebApplicationBuilder builder, Func<IServiceProvider, ModelFactory> modelFactory)
    {
        var services = builder.Services;
        services.AddOptions<ServiceOptions>().BindConfiguration(ServiceOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>();
        services.AddSingleton(sp => modelFactory(sp));
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelRegistry>());
        services.AddSingleton<ServiceMetrics>();
        services.AddSingleton(_ => new AspectPresets(AspectLexicon.LoadFolder(AspectLexicon.DefaultFolder)));

        services.ConfigureHttpJsonOptions(o =>
        {
            // The options' own naming policy wins over the generated context's, so both say snake_case.
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceJsonContext.Default);
        });
        services.AddProblemDetails();
        services.AddCors();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ZhSentiment";
            document.Info.Description =
                "Chinese sentiment analysis. Every response carries `X-Inference-Time-Ms`: the model time of the batches that " +
                "carried the request (0 on routes that run no model). Errors are RFC 7807 problem details. Retry 503s after " +
                "`Retry-After` seconds; do not retry 4xx.";
            return Task.CompletedTask;
        }));
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<ServiceOptions>>((timeouts, options) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = WriteTimeout,
            });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServiceOptions>>((kestrel, options) =>
        {
            kestrel.AddServerHeader = false;
            // RequestReader answers 413 at MaxRequestBodyBytes. Kestrel then reads and discards the rest of the body, up
            // to this much more (and for at most 5 s), before it closes: a client that sends its whole body before
            // reading (Python's urllib, requests) reads the 413 instead of a broken pipe. Beyond it, the connection is cut.
            kestrel.Limits.MaxRequestBodySize = options.Value.MaxRequestBodyBytes + Math.Min(DrainBytes, long.MaxValue - options.Value.MaxRequestBodyBytes);
        });

        var app = builder.Build();
        var settings = app.Services.GetRequiredService<IOptions<ServiceOptions>>().Value;
        var metrics = app.Services.GetRequiredService<ServiceMetrics>();
        // Read now, so that a broken lexicon file stops the start rather than a request.
        app.Services.GetRequiredService<AspectPresets>();

        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                if (!headers.ContainsKey(Prediction.InferenceTimeHeader)) headers[Prediction.InferenceTimeHeader] = "0";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseServiceMetrics(metrics);
        if (settings.CorsOrigins.Length > 0)
            app.UseCors(cors => cors.WithOrigins(settings.CorsOrigins).WithMethods("GET", "POST").WithHeaders("Content-Type", "Authorization")
                .WithExposedHeaders(Prediction.InferenceTimeHeader, "Retry-After"));
        if (settings.ApiKey is { } key) app.UseMiddleware<ApiKeyMiddleware>(key);
        app.UseRequestTimeouts();

        app.MapPredict();
        app.MapSentiment();
        app.MapEmotion();
        app.MapAnalyze();
        app.MapModels(settings);
        app.MapInfo();
        app.MapHealth();
        app.MapServiceMetrics(metrics);
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapWeb();
        return app;
    }

    private static Task WriteTimeout(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Detail = "The request took longer than the configured timeout; its work was dropped. Retry shortly." },
        }).AsTask();
    }
}
