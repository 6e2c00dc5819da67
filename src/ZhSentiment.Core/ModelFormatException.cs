namespace ZhSentiment;

/// <summary>
/// A model file that is missing, truncated, malformed, of the wrong shape or unsupported. The message always
/// names the file and the problem, in one line a user can act on.
/// </summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The file (or folder) at fault, as the user gave it.</summary>
    public string File { get; }

    public string Problem { get; }
}
