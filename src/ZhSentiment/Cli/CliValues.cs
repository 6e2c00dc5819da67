using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace ZhSentiment.Cli;

/// <summary>
/// Parsers for option values that refuse a bad value with a message naming the option, what it takes and what it
/// got, instead of System.CommandLine's "cannot parse as type System.Nullable`1[System.Int32]".
/// </summary>
internal static class CliValues
{
    public static Option<int?> Whole(string name, string helpName, string description, int min, int max = int.MaxValue) =>
        new(name) { Description = description, HelpName = helpName, CustomParser = r => Parse(r, min, max, int.TryParse) };

    public static Option<long?> Long(string name, string helpName, string description, long min) =>
        new(name) { Description = description, HelpName = helpName, CustomParser = r => Parse(r, min, long.MaxValue, long.TryParse) };

    public static Option<double?> Number(string name, string helpName, string description, double min, bool minAllowed, double max = double.PositiveInfinity)
    {
        return new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r =>
            {
                string value = Value(r);
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && (number > min || (minAllowed && number == min)) && number <= max)
                    return number;
                r.AddError(double.IsFinite(max)
                    ? $"{Name(r)} takes a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{value}'"
                    : $"{Name(r)} takes a number {(minAllowed ? "of at least" : "above")} {min.ToString(CultureInfo.InvariantCulture)}, not '{value}'");
                return null;
            },
        };
    }

    /// <summary>One of <paramref name="choices"/>, in any case; the value is the choice as written here.</summary>
    public static Option<string> Choice(string name, string description, params string[] choices) => new(name)
    {
        Description = description,
        HelpName = string.Join('|', choices),
        CustomParser = r =>
        {
            string value = Value(r);
            if (choices.FirstOrDefault(c => c.Equals(value, StringComparison.OrdinalIgnoreCase)) is { } choice) return choice;
            r.AddError($"{Name(r)} takes {string.Join(" or ", choices)}, not '{value}'");
            return null;
        },
    };

    private delegate bool TryParse<T>(string text, NumberStyles styles, IFormatProvider provider, out T value);

    private static T? Parse<T>(ArgumentResult r, T min, T max, TryParse<T> tryParse) where T : struct, IComparable<T>, IMinMaxValue<T>
    {
        string value = Value(r);
        if (tryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number.CompareTo(min) >= 0 && number.CompareTo(max) <= 0) return number;
        r.AddError($"{Name(r)} takes a whole number {(max.Equals(T.MaxValue) ? $"of at least {min}" : $"from {min} to {max}")}, not '{value}'");
        return null;
    }

    private static string Value(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    private static string Name(ArgumentResult r) => r.Parent is OptionResult option ? option.Option.Name : "the value";
}
