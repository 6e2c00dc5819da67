using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZhSentiment.Tests.Reliability;

/// <summary>A response as read off the socket: status, headers (names lower-cased) and the decoded body.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// HTTP/1.1 over a bare socket, so that a test can send what HttpClient refuses to: invalid bytes, lying lengths,
/// broken framing, a body that trickles in. Each request has its own connection; the answer is read to the close.
/// </summary>
internal static class RawHttp
{
    /// <param name="request">The request's head and whatever body bytes follow it, verbatim.</param>
    /// <param name="trickle">When set, the bytes after the head are sent one at a time this far apart.</param>
    /// <returns>The response, or null when the server closed the connection without one.</returns>
    public static async Task<RawResponse?> SendAsync(IPEndPoint server, byte[] request, int headLength = 0, TimeSpan? trickle = null,
        CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server, cancellationToken);
        // Read while writing: a server that refuses a large body answers before it has all of it.
        var reading = ReadToCloseAsync(socket, cancellationToken);
        try
        {
            if (trickle is { } pause)
            {
                await socket.SendAsync(request.AsMemory(0, headLength), cancellationToken);
                for (int i = headLength; i < request.Length && !reading.IsCompleted; i++)
                {
                    await socket.SendAsync(request.AsMemory(i, 1), cancellationToken);
                    await Task.Delay(pause, cancellationToken);
                }
            }
            else
            {
                await socket.SendAsync(request, cancellationToken);
            }
        }
        catch (SocketException)
        {
            // The server answered and closed before taking the whole body; the answer is what counts.
        }
        return Parse(await reading);
    }

    /// <summary>A request head with <c>Connection: close</c>; <paramref name="headers"/> lines end in CRLF.</summary>
    public static byte[] Head(string method, string path, string headers) =>
        Encoding.UTF8.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n");

    private static async Task<byte[]> ReadToCloseAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, cancellationToken)) > 0) received.Write(buffer, 0, n);
        }
        catch (SocketException)
        {
            // A reset after the response: the server closed with our unread body still arriving.
        }
        return received.ToArray();
    }

    private static RawResponse? Parse(byte[] bytes)
    {
        int end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) return null;
        var lines = Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n");
        // Skip interim responses (100 Continue).
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        if (status == 100) return Parse(bytes[(end + 4)..]);
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        var body = bytes.AsSpan(end + 4);
        if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            return new RawResponse(status, headers, Dechunk(body));
        if (headers.TryGetValue("content-length", out var length)) body = body[..int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)];
        return new RawResponse(status, headers, body.ToArray());
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> chunked)
    {
        var body = new MemoryStream();
        while (true)
        {
            int lineEnd = chunked.IndexOf("\r\n"u8);
            int size = Convert.ToInt32(Encoding.ASCII.GetString(chunked[..lineEnd]).Split(';')[0], 16);
            if (size == 0) return body.ToArray();
            body.Write(chunked.Slice(lineEnd + 2, size));
            chunked = chunked[(lineEnd + 2 + size + 2)..];
        }
    }
}
