using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZhSentiment.Cli;
using ZhSentiment.Inference;
using ZhSentiment.Serving;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// The service as <c>zhsenti serve --model Fixtures/models/modelscope</c> runs it: same configuration, same
/// <see cref="ServiceApp"/>, the real checkpoint converted and run on ONNX Runtime, on a loopback Kestrel port.
/// </summary>
internal sealed class FixtureService : IAsyncDisposable
{
    private readonly string _cache;

    private FixtureService(WebApplication app, string cache)
    {
        App = app;
        _cache = cache;
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        EndPoint = new IPEndPoint(IPAddress.Loopback, address.Port);
        Client = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }
    public IPEndPoint EndPoint { get; }
    public HttpClient Client { get; }
    public SentimentEngine? Engine => App.Services.GetRequiredService<ModelRegistry>().Default.Current?.Engine;

    /// <param name="settings">Keys of the ZhSentiment section, e.g. ["QueueCapacity"] = "64".</param>
    public static async Task<FixtureService> StartAsync(Dictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var cache = Directory.CreateTempSubdirectory("zhsenti-reliability-").FullName;
        var config = (settings ?? []).ToDictionary(kv => $"{ServiceOptions.Section}:{kv.Key}", kv => kv.Value);
        config["urls"] = "http://127.0.0.1:0";
        config[$"{ServiceOptions.Section}:Model"] = Path.Combine(TestPaths.Fixtures, "models", "modelscope");
        var builder = ServeCommand.CreateBuilder(config, []);
        configure?.Invoke(builder);
        var app = ServiceApp.Build(builder, _ => (spec, cancellationToken) =>
            Task.Run(() => ModelLoader.Load(spec.Source!, spec.Load with { CacheDirectory = cache }), cancellationToken));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var service = new FixtureService(app, cache);
        await Readiness.WaitAsync(service.Client, TimeSpan.FromSeconds(60));
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }
}
