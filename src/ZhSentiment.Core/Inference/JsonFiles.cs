using System.Text.Json;

namespace ZhSentiment.Inference;

/// <summary>Model configuration files as JSON objects, with errors that name the file.</summary>
internal static class JsonFiles
{
    /// <summary>Parses <paramref name="path"/>, which must hold a JSON object of valid Unicode strings (comments and trailing commas allowed).</summary>
    public static JsonDocument Read(string path)
    {
        JsonDocument doc;
        try
        {
            using var stream = File.OpenRead(path);
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, $"cannot be read: {e.Message}", e);
        }
        try
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "must hold a JSON object");
            Text.JsonUnicode.Check(doc.RootElement, path);
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }
}
