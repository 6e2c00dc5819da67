using System.CommandLine;
using System.Globalization;
using ZhSentiment.Serving;

namespace ZhSentiment.Cli;

/// <summary>An option that sets one <c>ZhSentiment:KEY</c> configuration setting when it is given.</summary>
internal sealed record ConfigFlag(Option Option, string Key, Func<ParseResult, string?> Value)
{
    public static ConfigFlag Of<T>(Option<T> option, string key) =>
        new(option, $"{ServiceOptions.Section}:{key}", parse => parse.GetResult(option) is { Implicit: false } ? Format(parse.GetValue(option)) : null);

    private static string? Format(object? value) => value switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
