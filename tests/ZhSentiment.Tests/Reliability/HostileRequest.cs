using System.Text;
using System.Text.Json;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// One case of <c>Fixtures/hostile/requests.jsonl</c>: a request and the answer it must get. The body is given as
/// text (<c>body</c>), as raw bytes (<c>body_b64</c>), or generated (<c>body_repeat</c>: prefix, unit × count, suffix)
/// so that 10 MB bodies need not be committed; <c>raw_b64</c> replaces the whole request, head included.
/// <c>content_length</c> overrides the declared length (a lie), <c>trickle_ms</c> sends the body a byte at a time, <c>chunked</c> frames it in chunks. A header value may be
/// generated as <c>{"unit", "count", "times"}</c>. <c>problem</c> (default: true for 4xx) says whether the answer is
/// an RFC 7807 body; <c>detail</c> is a part of that body's detail.
/// </summary>
internal sealed class HostileRequest
{
    public required string Name { get; init; }
    public required int Expect { get; init; }
    public bool Problem { get; init; }
    public string? Detail { get; init; }
    public required byte[] Bytes { get; init; }
    public int HeadLength { get; init; }
    public TimeSpan? Trickle { get; init; }

    /// <summary>The server can only answer once the body stops arriving too slowly, which takes seconds.</summary>
    public bool Slow { get; init; }
    public required string Path { get; init; }

    public override string ToString() => Name;

    public static IReadOnlyList<HostileRequest> Load(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => Parse(JsonDocument.Parse(l).RootElement))];

    private static HostileRequest Parse(JsonElement c)
    {
        int expect = c.GetProperty("expect").GetInt32();
        bool problem = c.TryGetProperty("problem", out var p) ? p.GetBoolean() : expect >= 400;
        string? detail = c.TryGetProperty("detail", out var d) ? d.GetString() : null;
        string name = c.GetProperty("name").GetString()!;
        if (c.TryGetProperty("raw_b64", out var raw))
            return new HostileRequest { Name = name, Expect = expect, Problem = problem, Detail = detail, Bytes = Convert.FromBase64String(raw.GetString()!), Path = "" };

        string method = c.TryGetProperty("method", out var m) ? m.GetString()! : "POST";
        string path = c.GetProperty("path").GetString()!;
        byte[] body = c.TryGetProperty("body", out var b) ? Encoding.UTF8.GetBytes(b.GetString()!)
            : c.TryGetProperty("body_b64", out var b64) ? Convert.FromBase64String(b64.GetString()!)
            : c.TryGetProperty("body_repeat", out var r) ? Repeat(r)
            : [];
        bool chunked = c.TryGetProperty("chunked", out var ch) && ch.GetBoolean();
        long? declared = c.TryGetProperty("content_length", out var cl) ? cl.GetInt64() : null;
        var trickle = c.TryGetProperty("trickle_ms", out var tr) ? TimeSpan.FromMilliseconds(tr.GetInt32()) : (TimeSpan?)null;
        if (chunked) body = Chunk(body);

        var head = new StringBuilder();
        string? contentType = c.TryGetProperty("content_type", out var ct) ? ct.GetString() : "application/json";
        if (contentType is not null) head.Append($"Content-Type: {contentType}\r\n");
        if (chunked) head.Append("Transfer-Encoding: chunked\r\n");
        else if (declared is { } length) head.Append($"Content-Length: {length}\r\n");
        else if (body.Length > 0 || method is "POST" or "PUT") head.Append($"Content-Length: {body.Length}\r\n");
        if (c.TryGetProperty("headers", out var headers))
        {
            foreach (var h in headers.EnumerateObject())
            {
                if (h.Value.ValueKind == JsonValueKind.String)
                {
                    head.Append($"{h.Name}: {h.Value.GetString()}\r\n");
                    continue;
                }
                string value = string.Concat(Enumerable.Repeat(h.Value.GetProperty("unit").GetString(), h.Value.GetProperty("count").GetInt32()));
                int times = h.Value.TryGetProperty("times", out var t) ? t.GetInt32() : 1;
                for (int i = 0; i < times; i++) head.Append($"{h.Name}{(times > 1 ? $"-{i}" : "")}: {value}\r\n");
            }
        }
        var headBytes = RawHttp.Head(method, path, head.ToString());
        return new HostileRequest
        {
            Name = name, Expect = expect, Problem = problem, Detail = detail, Path = path,
            Bytes = [.. headBytes, .. body], HeadLength = headBytes.Length,
            Trickle = trickle,
            Slow = trickle is not null || declared > body.Length,
        };
    }

    private static byte[] Repeat(JsonElement r)
    {
        var unit = Encoding.UTF8.GetBytes(r.GetProperty("unit").GetString()!);
        var prefix = Encoding.UTF8.GetBytes(r.GetProperty("prefix").GetString()!);
        var suffix = Encoding.UTF8.GetBytes(r.GetProperty("suffix").GetString()!);
        int count = r.GetProperty("count").GetInt32();
        var bytes = new byte[prefix.Length + (long)unit.Length * count + suffix.Length];
        prefix.CopyTo(bytes, 0);
        for (int i = 0; i < count; i++) unit.CopyTo(bytes, prefix.Length + (long)i * unit.Length);
        suffix.CopyTo(bytes, bytes.Length - suffix.Length);
        return bytes;
    }

    private static byte[] Chunk(byte[] body)
    {
        var framed = new MemoryStream();
        for (int at = 0; at < body.Length; at += 64 * 1024)
        {
            int size = Math.Min(64 * 1024, body.Length - at);
            framed.Write(Encoding.ASCII.GetBytes($"{size:x}\r\n"));
            framed.Write(body, at, size);
            framed.Write("\r\n"u8);
        }
        framed.Write("0\r\n\r\n"u8);
        return framed.ToArray();
    }
}
