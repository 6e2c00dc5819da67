using System.CommandLine;

namespace ZhSentiment.Cli;

/// <summary>The verbs of <c>zhsenti</c>. Each verb lives in its own file and adds itself here.</summary>
internal static class CommandLine
{
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("ZhSentiment: Chinese sentiment analysis on ONNX Runtime, without Python.");
        return root.Parse(args).InvokeAsync();
    }
}
