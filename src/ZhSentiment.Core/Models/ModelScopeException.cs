namespace ZhSentiment.Models;

/// <summary>A ModelScope model could not be listed or downloaded. The message is one line a user can act on.</summary>
public sealed class ModelScopeException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when the hub could not be reached (network errors, timeouts, 5xx or 429 after every retry), as opposed to answering no.</summary>
    public bool HubUnreachable { get; init; }
}
