using System.CommandLine;
using System.CommandLine.Parsing;

namespace ZhSentiment.Cli;

/// <summary>The verbs of <c>zhsenti</c>. Each verb lives in its own file and adds itself here.</summary>
internal static class CommandLine
{
    public static RootCommand Root() => new("ZhSentiment: Chinese sentiment analysis on ONNX Runtime, without Python.")
    {
        new ServeCommand(),
        new PredictCommand(),
        new TokenizeCommand(),
        new ConvertCommand(),
        new TrainCommand(),
        new EvalCommand(),
        new EvalAspectsCommand(),
        new ScoreCommand(),
        new DownloadCommand(),
        new HealthCommand(),
    };

    public static Task<int> RunAsync(string[] args)
    {
        var parse = Root().Parse(args);
        if (Problem(parse) is { } problem)
        {
            var verb = parse.CommandResult.Command is RootCommand ? null : parse.CommandResult.Command.Name;
            Console.Error.WriteLine(verb is null ? $"zhsenti: {problem}" : CliErrors.Format(verb, problem));
            return Task.FromResult(1);
        }
        // `serve` stops gracefully on SIGTERM through the web host, draining requests; System.CommandLine's own
        // handler would end the process 2 s after the signal.
        var invocation = parse.CommandResult.Command is ServeCommand ? new InvocationConfiguration { ProcessTerminationTimeout = null } : new InvocationConfiguration();
        return parse.InvokeAsync(invocation);
    }

    /// <summary>
    /// What is wrong with the command line, in one sentence that says what to do, or null. Unknown options are
    /// refused, with the nearest known one suggested, also where a verb's texts would otherwise take them as text.
    /// </summary>
    public static string? Problem(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var help = command is RootCommand ? "zhsenti --help" : $"zhsenti {command.Name} --help";
        if (command is RootCommand && parse.Tokens.Count == 0) return $"name a verb ({string.Join(", ", command.Subcommands.Select(c => c.Name))}); {help} says more";
        var unknown = (command is ServeCommand serve ? serve.Unknown(parse.UnmatchedTokens) : parse.UnmatchedTokens.Concat(OptionsTakenAsText(parse))).FirstOrDefault();
        if (unknown is not null)
        {
            if (command is RootCommand) return $"unknown verb '{unknown}'{Suggest(unknown, command.Subcommands.Select(c => c.Name))}; {help} lists the verbs";
            if (!LooksLikeOption(unknown)) return $"unexpected argument '{unknown}'; {help} lists what it takes";
            return $"unknown option '{unknown}'{Suggest(unknown.Split('=')[0], command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)))}; {help} lists the options";
        }
        return parse.Errors.Count > 0 ? $"{Describe(parse.Errors[0]).TrimEnd('.')}; {help} says more" : null;
    }

    /// <summary>The error, with System.CommandLine's "cannot parse ... as expected type 'System.Int32'" told in words.</summary>
    private static string Describe(ParseError error)
    {
        var result = error.SymbolResult is ArgumentResult { Parent: OptionResult parent } ? parent : error.SymbolResult as OptionResult;
        // An option that takes one value, given twice: say so, not that the second value is malformed.
        if (result is { Option: var once, Tokens.Count: > 1 } && once.Arity.MaximumNumberOfValues == 1)
            return $"{once.Name} is given {result.Tokens.Count} times ({string.Join(", ", result.Tokens.Select(t => $"'{t.Value}'"))}); give it once";
        if (result is { Option: var option, Tokens: [.., var token] }
            && !error.Message.StartsWith(option.Name, StringComparison.Ordinal)
            && (Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType) is var type
            && (type == typeof(int) || type == typeof(long) ? "a whole number" : type == typeof(float) || type == typeof(double) ? "a number" : null) is { } kind)
            return $"{option.Name} takes {kind}, not '{token.Value}'";
        return error.Message;
    }

    /// <summary>Tokens that look like options but went to a verb's TEXT arguments; texts that start with '-' follow "--".</summary>
    private static IEnumerable<string> OptionsTakenAsText(ParseResult parse)
    {
        var optionValues = parse.CommandResult.Children.OfType<OptionResult>().SelectMany(o => o.Tokens).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) yield break;
            if (token.Type == TokenType.Argument && LooksLikeOption(token.Value) && !optionValues.Contains(token)) yield return token.Value;
        }
    }

    /// <summary>"--x" or "-x", but not "-5" or "-".</summary>
    public static bool LooksLikeOption(string token) => token.StartsWith("--", StringComparison.Ordinal) || (token.Length > 1 && token[0] == '-' && char.IsLetter(token[1]));

    private static string Suggest(string typed, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: Distance(typed, k))).OrderBy(k => k.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, typed.Length / 4) ? $" (did you mean '{best.Name}'?)" : "";
    }

    /// <summary>Edit distance (insertions, deletions, substitutions), case-insensitive.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
