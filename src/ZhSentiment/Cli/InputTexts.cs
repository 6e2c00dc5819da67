namespace ZhSentiment.Cli;

/// <summary>A text to process and where it came from (argument or stdin line number), for error messages.</summary>
internal readonly record struct InputText(string Text, string Origin);

/// <summary>Texts from the command line, or one per stdin line when none are given.</summary>
internal static class InputTexts
{
    public static IEnumerable<InputText> From(string[]? arguments)
    {
        if (arguments is { Length: > 0 })
        {
            for (int i = 0; i < arguments.Length; i++) yield return new InputText(arguments[i], $"argument {i + 1}");
            yield break;
        }
        int line = 0;
        while (Console.In.ReadLine() is { } text) yield return new InputText(text, $"line {++line}");
    }
}
