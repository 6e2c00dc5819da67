using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ZhSentiment.Cli;

namespace ZhSentiment.Tests.Deploy;

public class HealthCommandTests
{
    [Theory]
    [InlineData(null, null, "http://127.0.0.1:5000/health")]
    [InlineData("http://+:8080", null, "http://127.0.0.1:8080/health")]
    [InlineData("http://*:8080/;http://10.0.0.1:9", "7000", "http://127.0.0.1:8080/health")]
    [InlineData("http://0.0.0.0:81", null, "http://127.0.0.1:81/health")]
    [InlineData("http://[::]:82", null, "http://127.0.0.1:82/health")]
    [InlineData("http://10.1.2.3:83", null, "http://10.1.2.3:83/health")]
    [InlineData(null, "8080;8081", "http://127.0.0.1:8080/health")]
    [InlineData("", "8080", "http://127.0.0.1:8080/health")]
    public void DefaultUrlFollowsTheWebHostsEnvironment(string? urls, string? httpPorts, string expected) =>
        Assert.Equal(expected, HealthCommand.DefaultUrl(urls, httpPorts));

    [Fact]
    public async Task ExitCodeFollowsTheAnswer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/health", () => Results.Ok());
        app.MapGet("/down", () => Results.StatusCode(503));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var root = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();

        Assert.Equal(0, await CommandLine.RunAsync(["health", "--url", root + "/health"]));
        Assert.Equal(1, await CommandLine.RunAsync(["health", "--url", root + "/down"]));
        Assert.Equal(1, await CommandLine.RunAsync(["health", "--url", "not a url"]));
        await app.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, await CommandLine.RunAsync(["health", "--url", root + "/health", "--timeout", "1"]));
    }
}
