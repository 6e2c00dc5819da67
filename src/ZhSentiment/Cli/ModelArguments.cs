using System.CommandLine;
using ZhSentiment.Inference;
using ZhSentiment.Serving;

namespace ZhSentiment.Cli;

/// <summary>The model flags the offline verbs share (<c>--model</c>, <c>--quantize</c>, <c>--threads</c>, <c>--cache-dir</c>).</summary>
internal sealed class ModelArguments
{
    public Option<string> Model { get; } = new("--model") { Description = "The model folder. Default: the shipped model.", HelpName = "DIR" };
    public Option<string> Quantize { get; } = new("--quantize") { Description = "int8 quantizes the encoder's matrix multiplications. Default: none.", HelpName = "none|int8", DefaultValueFactory = _ => "none" };
    public Option<int?> Threads { get; } = new("--threads") { Description = "ONNX Runtime threads. Default: the physical cores.", HelpName = "N" };
    public Option<string> CacheDirectory { get; } = new("--cache-dir") { Description = "Cache for built models. Default: $ZHSENTI_CACHE or ~/.cache/zhsenti.", HelpName = "DIR" };

    public void AddTo(Command command, bool withQuantize = true)
    {
        command.Options.Add(Model);
        if (withQuantize) command.Options.Add(Quantize);
        command.Options.Add(Threads);
        command.Options.Add(CacheDirectory);
    }

    public string Folder(ParseResult parse) => parse.GetValue(Model) ?? ModelSource.DefaultFolder;

    public SentimentEngine Load(ParseResult parse, LongTextMode longText = LongTextMode.Windows) =>
        ModelLoader.Load(Folder(parse), new ModelLoadOptions
        {
            Quantize = parse.GetValue(Quantize) ?? "none",
            Threads = parse.GetValue(Threads),
            CacheDirectory = parse.GetValue(CacheDirectory),
            Engine = new EngineOptions { LongText = new LongTextOptions { Mode = longText } },
        }, warning => Console.Error.WriteLine($"zhsenti: warning: {warning}"));
}
