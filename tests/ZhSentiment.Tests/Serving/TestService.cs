using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZhSentiment.Cli;
using ZhSentiment.Inference;
using ZhSentiment.Serving;
using ZhSentiment.Tests.Inference;

namespace ZhSentiment.Tests.Serving;

/// <summary>
/// The service as <c>zhsenti serve</c> builds it (same configuration sources, same <see cref="ServiceApp"/>), serving
/// an <see cref="ArithmeticModel"/>: in memory through TestServer, or on a real Kestrel loopback port.
/// </summary>
internal sealed class TestService : IAsyncDisposable
{
    public static readonly ModelInfo Info = new() { Name = "arithmetic", Source = "test", Folder = "test", Architecture = "test", MaxSequenceLength = 16 };

    private TestService(WebApplication app, ArithmeticModel model, HttpClient client)
    {
        App = app;
        Model = model;
        Client = client;
    }

    public WebApplication App { get; }
    public ArithmeticModel Model { get; }
    public HttpClient Client { get; }
    public ModelRegistry Registry => App.Services.GetRequiredService<ModelRegistry>();

    /// <summary>The default model's engine, once loaded.</summary>
    public SentimentEngine Engine => Registry.Default.Current!.Engine;

    /// <param name="settings">Keys of the ZhSentiment section, e.g. ["ApiKey"] = "k".</param>
    /// <param name="load">Replaces the model factory (the default returns the engine at once).</param>
    /// <param name="factory">Makes every model's engine, named as its spec, in place of the one arithmetic model.</param>
    public static async Task<TestService> StartAsync(
        Dictionary<string, string?>? settings = null, bool kestrel = false, bool waitReady = true,
        Func<SentimentEngine, CancellationToken, Task<SentimentEngine>>? load = null,
        Action<WebApplicationBuilder>? configure = null, IReadOnlyList<string>? labels = null,
        ModelFactory? factory = null)
    {
        labels ??= ["负面", "正面"];
        var config = (settings ?? []).ToDictionary(kv => kv.Key.Contains(':') ? kv.Key : $"{ServiceOptions.Section}:{kv.Key}", kv => kv.Value);
        if (kestrel) config["urls"] = "http://127.0.0.1:0";
        var builder = ServeCommand.CreateBuilder(config, []);
        if (!kestrel) builder.WebHost.UseTestServer();
        configure?.Invoke(builder);

        var model = new ArithmeticModel(labels: labels.Count);
        var app = ServiceApp.Build(builder, _ => factory ?? ((spec, cancellationToken) =>
        {
            var engine = new SentimentEngine(model, model, LabelSet.FromModelLabels(labels), Info with { Name = spec.Name }, spec.Load.Engine);
            return load is null ? Task.FromResult(engine) : load(engine, cancellationToken);
        }));
        await app.StartAsync(TestContext.Current.CancellationToken);

        HttpClient client;
        if (kestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            client = new HttpClient { BaseAddress = new Uri(address) };
        }
        else
        {
            client = app.GetTestClient();
        }
        var service = new TestService(app, model, client);
        if (waitReady) await service.WaitReadyAsync();
        return service;
    }

    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Client.GetAsync("/ready", TestContext.Current.CancellationToken)).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The service did not become ready.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, string contentType = "application/json") =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, contentType), TestContext.Current.CancellationToken);

    public async Task<JsonElement> PostForJsonAsync(string path, string json)
    {
        using var response = await PostJsonAsync(path, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    /// <summary>The probabilities the arithmetic model gives a text that fits one window (softmax of its logits).</summary>
    public static float[] Expected(string text, int labels = 2)
    {
        var logits = ArithmeticModel.LogitsOf(new[] { ArithmeticModel.Cls }.Concat(text.Where(c => !char.IsWhiteSpace(c)).Select(ArithmeticModel.TokenId)).Append(ArithmeticModel.Sep), labels);
        var e = logits.Select(l => Math.Exp(l - logits.Max())).ToArray();
        return e.Select(v => (float)(v / e.Sum())).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Model.Gate.Set();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
