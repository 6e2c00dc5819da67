namespace ZhSentiment.Cli;

/// <summary>Turns the errors a user can cause into one line on stderr and exit status 1; anything else is a bug and surfaces as one.</summary>
internal static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is ModelFormatException or ArgumentException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // ArgumentException appends "(Parameter 'x')", which names code, not anything the user typed.
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            await Console.Error.WriteLineAsync($"zhsenti: {message}");
            return 1;
        }
    }
}
