using System.Net;

namespace ZhSentiment.Client;

/// <summary>
/// The service refused a request: its status and the problem details' <c>detail</c> (400 a malformed text, 401 a missing
/// or wrong API key, 413 a body too large, 503 the model loading or the queue full, …).
/// </summary>
public sealed class ZhSentimentException : Exception
{
    /// <summary>Creates the exception for a refused request.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="detail">The problem details' <c>detail</c>, or the reason phrase when the body has none.</param>
    /// <param name="title">The problem details' <c>title</c>, if any.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> the service sent, if any.</param>
    public ZhSentimentException(HttpStatusCode statusCode, string detail, string? title = null, TimeSpan? retryAfter = null)
        : base($"{(int)statusCode} {title ?? statusCode.ToString()}: {detail}")
    {
        StatusCode = statusCode;
        Detail = detail;
        Title = title;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status the service answered.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>What went wrong, in the service's words (the problem details' <c>detail</c>).</summary>
    public string Detail { get; }

    /// <summary>The problem details' <c>title</c>; null when the body had none.</summary>
    public string? Title { get; }

    /// <summary>How long the service asked to wait before trying again (503's <c>Retry-After</c>); null when it did not say.</summary>
    public TimeSpan? RetryAfter { get; }
}
