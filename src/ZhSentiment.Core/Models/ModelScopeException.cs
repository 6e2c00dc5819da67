namespace ZhSentiment.Models;

/// <summary>A ModelScope model could not be listed or downloaded. The message is one line a user can act on.</summary>
public sealed class ModelScopeException(string message, Exception? inner = null) : Exception(message, inner);
