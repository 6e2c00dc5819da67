using System.CommandLine;
using ZhSentiment.Models;

namespace ZhSentiment.Cli;

/// <summary>
/// <c>zhsenti download modelscope:ORG/NAME[@REV]</c>: fetches a model into the cache, as <c>--model</c> would, and
/// prints its folder on stdout; for building images and for machines that will run offline.
/// </summary>
internal sealed class DownloadCommand : Command
{
    private readonly Argument<string> _model = new("MODEL") { Description = "The model: modelscope:ORG/NAME or modelscope:ORG/NAME@REVISION (a branch or tag)." };
    private readonly Option<string> _cacheDirectory = ModelOptions.CacheDirectoryOption();
    private readonly Option<bool> _offline = ModelOptions.OfflineOption();

    public DownloadCommand() : base("download", "Fetch a ModelScope model into the cache (checked by size and SHA-256, resumable) and print its folder.")
    {
        Arguments.Add(_model);
        Options.Add(_cacheDirectory);
        Options.Add(_offline);
        SetAction((parse, _) => CliErrors.RunAsync(Name, () => Task.FromResult(Run(parse))));
    }

    private int Run(ParseResult parse)
    {
        var model = parse.GetValue(_model)!;
        if (!ModelScopeId.IsModelScope(model)) throw new CliException($"'{model}' is not a ModelScope model: give modelscope:ORG/NAME[@REVISION]");
        var options = ModelOptions.Configured();
        options.Model = model;
        if (parse.GetValue(_cacheDirectory) is { } cache) options.CacheDirectory = cache;
        if (parse.GetValue(_offline)) options.Offline = true;
        Console.WriteLine(ModelOptions.Resolve(options, Name, "").Folder);
        return 0;
    }
}
