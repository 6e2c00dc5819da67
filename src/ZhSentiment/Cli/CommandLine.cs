using System.CommandLine;

namespace ZhSentiment.Cli;

/// <summary>The verbs of <c>zhsenti</c>. Each verb lives in its own file and adds itself here.</summary>
internal static class CommandLine
{
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("ZhSentiment: Chinese sentiment analysis on ONNX Runtime, without Python.")
        {
            new ServeCommand(),
            new PredictCommand(),
            new TokenizeCommand(),
            new ConvertCommand(),
            new TrainCommand(),
            new EvalCommand(),
            new EvalAspectsCommand(),
            new ScoreCommand(),
            new HealthCommand(),
        };
        var parse = root.Parse(args);
        // `serve` stops gracefully on SIGTERM through the web host, draining requests; System.CommandLine's own
        // handler would end the process 2 s after the signal.
        var invocation = parse.CommandResult.Command is ServeCommand ? new InvocationConfiguration { ProcessTerminationTimeout = null } : new InvocationConfiguration();
        return parse.InvokeAsync(invocation);
    }
}
