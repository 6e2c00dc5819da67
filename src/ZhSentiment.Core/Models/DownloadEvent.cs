namespace ZhSentiment.Models;

public enum DownloadStage
{
    /// <summary>The listing is in: <see cref="DownloadEvent.Total"/> bytes are to be fetched.</summary>
    Planned,

    /// <summary>A file's transfer begins; <see cref="DownloadEvent.Bytes"/> of it were already on disk from an earlier try.</summary>
    Started,

    /// <summary><see cref="DownloadEvent.Bytes"/> more bytes arrived (negative when a transfer starts over).</summary>
    Progressed,

    /// <summary>A file was taken from a copy already on disk rather than downloaded.</summary>
    Reused,

    /// <summary>A request failed in a way worth trying again, after the wait the message names.</summary>
    Retrying,

    /// <summary>Something the user should know: a model used from the cache because the hub could not be asked.</summary>
    Warning,

    /// <summary>The model is complete in its folder.</summary>
    Finished,
}

/// <summary>What a download is doing, for a progress bar or a log. <see cref="Message"/> is one line, empty for <see cref="DownloadStage.Progressed"/>.</summary>
public sealed record DownloadEvent(DownloadStage Stage, string Message, string? File = null, long Bytes = 0, long Total = 0);
