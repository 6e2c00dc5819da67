using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ZhSentiment.Cli;
using ZhSentiment.Inference;
using ZhSentiment.Models;
using ZhSentiment.Serving;


namespace ZhSentiment.Tests.Serving;

public class ServeCommandTests
{
    private static ServiceOptions Bind(params string[] args)
    {
        var command = new ServeCommand();
        var parse = new RootCommand { command }.Parse(["serve", .. args]);
        Assert.Empty(parse.Errors);
        var builder = ServeCommand.CreateBuilder(command.Settings(parse), [.. parse.UnmatchedTokens]);
        return builder.Configuration.GetSection(ServiceOptions.Section).Get<ServiceOptions>() ?? new ServiceOptions();
    }

    [Fact]
    public void FlagsSetTheConfigurationKeys()
    {
        var options = Bind(
            "--model", "modelscope:damo/x@v1", "--quantize", "int8", "--threads", "3", "--cache-dir", "/tmp/c",
            "--max-batch-tokens", "1024", "--max-batch-rows", "8", "--arena-keep-tokens", "768", "--max-batch-wait-ms", "2.5", "--queue-capacity", "77",
            "--long-text", "truncate", "--max-text-chars", "500", "--max-batch-texts", "9", "--max-body-bytes", "12345",
            "--request-timeout", "4", "--api-key", "k", "--cors-origin", "https://a.example", "--cors-origin", "https://b.example");

        Assert.Equal("modelscope:damo/x@v1", options.Model);
        Assert.Equal("int8", options.Quantize);
        Assert.Equal(3, options.Threads);
        Assert.Equal("/tmp/c", options.CacheDirectory);
        Assert.Equal(1024, options.MaxBatchTokens);
        Assert.Equal(8, options.MaxBatchRows);
        Assert.Equal(768, options.ArenaKeepTokens);
        Assert.Equal(2.5, options.MaxBatchWaitMs);
        Assert.Equal(77, options.QueueCapacity);
        Assert.Equal(LongTextMode.Truncate, options.LongText);
        Assert.Equal(500, options.MaxTextChars);
        Assert.Equal(9, options.MaxBatchTexts);
        Assert.Equal(12345, options.MaxRequestBodyBytes);
        Assert.Equal(4, options.RequestTimeoutSeconds);
        Assert.Equal("k", options.ApiKey);
        Assert.Equal(["https://a.example", "https://b.example"], options.CorsOrigins);

        var engine = options.ToLoadOptions();
        Assert.Equal(TimeSpan.FromMilliseconds(2.5), engine.Engine.MaxBatchWait);
        Assert.Equal(LongTextMode.Truncate, engine.Engine.LongText.Mode);
        Assert.Equal("int8", engine.Quantize);
        Assert.Equal(768, engine.ArenaKeepTokens);
    }

    [Fact]
    public void OtherArgumentsReachTheConfigurationAndFlagsWin()
    {
        var options = Bind("--ZhSentiment:MaxTextChars=42", "--ZhSentiment:QueueCapacity=5", "--queue-capacity", "6");
        Assert.Equal(42, options.MaxTextChars);
        Assert.Equal(6, options.QueueCapacity);
    }

    [Fact]
    public void ListensOnLoopbackPort5000UnlessToldOtherwise()
    {
        var command = new ServeCommand();
        var parse = new RootCommand { command }.Parse(["serve"]);
        Assert.Equal("http://127.0.0.1:5000", ServeCommand.CreateBuilder(command.Settings(parse), []).Configuration["urls"]);
        parse = new RootCommand { command }.Parse(["serve", "--urls", "http://0.0.0.0:8080"]);
        Assert.Equal("http://0.0.0.0:8080", ServeCommand.CreateBuilder(command.Settings(parse), []).Configuration["urls"]);
    }

    [Theory]
    [InlineData("--port 8080", "http://127.0.0.1:8080")]
    [InlineData("--host 0.0.0.0", "http://0.0.0.0:5000")]
    [InlineData("--host :: --port 0", "http://[::]:0")]
    [InlineData("--host localhost --port 80", "http://localhost:80")]
    public void HostAndPortAreShorthandsForUrls(string arguments, string urls)
    {
        var command = new ServeCommand();
        var parse = new RootCommand { command }.Parse(["serve", .. arguments.Split(' ')]);
        Assert.Null(CommandLine.Problem(parse));
        Assert.Equal(urls, ServeCommand.CreateBuilder(command.Settings(parse), []).Configuration["urls"]);
    }

    [Fact]
    public void ConfigurationArgumentsPassAndOtherArgumentsAreRefused()
    {
        var root = CommandLine.Root();
        Assert.Null(CommandLine.Problem(root.Parse(["serve", "--Logging:LogLevel:Default", "Warning", "--ZhSentiment:MaxTextChars=5", "--port", "1"])));
        Assert.Contains("unknown option '--verbose'", CommandLine.Problem(root.Parse(["serve", "--verbose"])));
        Assert.Contains("unexpected argument 'extra'", CommandLine.Problem(root.Parse(["serve", "--ZhSentiment:MaxTextChars=5", "extra"])));
    }

    [Fact]
    public void AppSettingsListsEveryDefault()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "src", "ZhSentiment", "appsettings.json");
        var section = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty(ServiceOptions.Section);
        var defaults = new ServiceOptions();
        foreach (var setting in section.EnumerateObject())
        {
            var property = typeof(ServiceOptions).GetProperty(setting.Name);
            Assert.True(property is not null, $"appsettings.json names an unknown key {setting.Name}");
            var value = property.GetValue(defaults);
            var expected = value switch
            {
                string[] list => JsonSerializer.Serialize(list),
                Enum e => JsonSerializer.Serialize(e.ToString()),
                _ => JsonSerializer.Serialize(value),
            };
            Assert.True(expected == setting.Value.GetRawText(), $"{setting.Name}: appsettings.json says {setting.Value.GetRawText()}, the code {expected}");
        }
        var nullable = new[] { nameof(ServiceOptions.Model), nameof(ServiceOptions.Threads), nameof(ServiceOptions.CacheDirectory), nameof(ServiceOptions.ApiKey), nameof(ServiceOptions.AdminKey), nameof(ServiceOptions.ModelScopeEndpoint) };
        Assert.Equal(typeof(ServiceOptions).GetProperties().Select(p => p.Name).Except(nullable).Order(), section.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task InvalidSettingsStopTheServiceBeforeItListens()
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            var code = await ServeCommand.RunAsync(new()
            {
                ["ZhSentiment:Quantize"] = "int4",
                ["ZhSentiment:MaxTextChars"] = "0",
                ["ZhSentiment:ArenaKeepTokens"] = "-1",
                ["ZhSentiment:Model"] = "modelscope:nope",
                ["urls"] = "http://127.0.0.1:0",
            }, []);
            Assert.Equal(1, code);
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Contains("ZhSentiment:Quantize must be none or int8", error.ToString());
        Assert.Contains("ZhSentiment:MaxTextChars must be positive", error.ToString());
        Assert.Contains("ZhSentiment:ArenaKeepTokens must be positive", error.ToString());
        Assert.Contains("'modelscope:nope' is not a ModelScope model id", error.ToString());
    }

    [Fact]
    public async Task ModelSourceNamesModelsByWhatWasAskedForAndDownloadsModelScopeModelsIntoTheCache()
    {
        await using var hub = await FakeModelScope.StartAsync();
        var cache = Directory.CreateTempSubdirectory("zhsenti-serve-").FullName;
        try
        {
            var options = new ServiceOptions { Model = $"modelscope:{FakeModelScope.Owner}/{FakeModelScope.Name}@v1.0.1", ModelScopeEndpoint = hub.Endpoint.ToString(), CacheDirectory = cache };
            var model = await ModelSource.ResolveAsync(options.Model, options.ToModelScopeSettings(), _ => { }, TestContext.Current.CancellationToken);
            Assert.Equal(Path.Combine(cache, "modelscope", FakeModelScope.Owner, FakeModelScope.Name, "v1.0.1"), model.Folder);
            Assert.Equal(($"{FakeModelScope.Owner}/{FakeModelScope.Name}@v1.0.1", options.Model), (model.Name, model.Source));
            Assert.True(File.Exists(Path.Combine(model.Folder, "weights.bin")));

            var settings = new ServiceOptions().ToModelScopeSettings();
            Assert.Equal(ModelReference.ForFolder("some/folder"), await ModelSource.ResolveAsync("some/folder", settings, _ => { }, TestContext.Current.CancellationToken));
            Assert.Equal(ModelReference.Shipped(ModelSource.DefaultFolder), await ModelSource.ResolveAsync(null, settings, _ => { }, TestContext.Current.CancellationToken));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
