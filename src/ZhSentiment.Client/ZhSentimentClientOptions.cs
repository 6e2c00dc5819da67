namespace ZhSentiment.Client;

/// <summary>How <see cref="ZhSentimentClient"/> calls the service.</summary>
public sealed class ZhSentimentClientOptions
{
    /// <summary>The service's API key, sent as <c>Authorization: Bearer KEY</c>; null sends none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// How many times a request answered 503 with <c>Retry-After</c> (the model loading, the queue full) is sent again,
    /// after the wait the service asks for. 0 never retries. Default 3.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The longest <c>Retry-After</c> the client waits out; a longer one is answered at once with the 503. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
