namespace ZhSentiment.Serving;

/// <summary>The service's own log messages (source-generated, so disabled levels cost nothing).</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} ({Source}) ready in {Seconds:F1} s")]
    public static partial void ModelReady(ILogger logger, string name, string source, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name}: labels from {Source}, mapped {Mapping}; it answers {Tasks}")]
    public static partial void ModelLabels(ILogger logger, string name, string source, string mapping, string tasks);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot load the model {Name}: {Message}")]
    public static partial void ModelFailed(ILogger logger, string name, string message);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot load the model {Name}: {Message}")]
    public static partial void ModelCrashed(ILogger logger, Exception exception, string name, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} reloaded from {Source}; the old instance is freed once its requests are done")]
    public static partial void ModelReloaded(ILogger logger, string name, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Name} not reloaded: {Message}")]
    public static partial void ReloadFailed(ILogger logger, string name, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Progress}")]
    public static partial void Download(ILogger logger, string progress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Web page: {Address}/  API reference: {Reference}/scalar/v1")]
    public static partial void Listening(ILogger logger, string address, string reference);
}
