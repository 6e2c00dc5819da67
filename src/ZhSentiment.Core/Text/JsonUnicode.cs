using System.Text.Json;

namespace ZhSentiment.Text;

/// <summary>
/// JsonDocument checks a string's UTF-8 and escapes only when the string is read, and then throws
/// InvalidOperationException. Reading every string and name once, right after parsing, turns invalid UTF-8 and lone
/// surrogate escapes (<c>"\ud800"</c>) into the file's own error.
/// </summary>
internal static class JsonUnicode
{
    public static void Check(JsonElement element, string file)
    {
        try
        {
            Visit(element);
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFormatException(file, $"holds a string that is not valid Unicode: {e.Message}", e);
        }
    }

    private static void Visit(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Visit(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Visit(item);
                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
