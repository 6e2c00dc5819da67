namespace ZhSentiment.Cli;

/// <summary>A problem with what the user asked for, told as <c>zhsenti VERB: MESSAGE</c> and exit status 1.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>
/// The one error format of every verb: one line on stderr, <c>zhsenti VERB: what is wrong and what to do</c>, exit
/// status 1, no stack trace. Errors a user can cause become that line; anything else is a bug and surfaces as one.
/// </summary>
internal static class CliErrors
{
    public static string Format(string verb, string message) =>
        $"zhsenti {verb}: {message.ReplaceLineEndings(" ").Trim()}";

    public static int Report(string verb, string message, TextWriter? writer = null)
    {
        (writer ?? Console.Error).WriteLine(Format(verb, message));
        return 1;
    }

    public static async Task<int> RunAsync(string verb, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (IsUsers(e))
        {
            return Report(verb, Message(e));
        }
    }

    /// <summary>Exceptions that come from the user's arguments, files or models rather than from a bug.</summary>
    public static bool IsUsers(Exception e) =>
        e is CliException or ModelFormatException or ArgumentException or IOException or UnauthorizedAccessException or InvalidDataException;

    public static string Message(Exception e) =>
        // ArgumentException appends "(Parameter 'x')", which names code, not anything the user typed.
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
