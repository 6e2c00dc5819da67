using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using ZhSentiment.Analysis;

namespace ZhSentiment.Serving;

/// <summary>Which text fields a route takes.</summary>
internal enum TextShape
{
    /// <summary><c>{"text": "..."}</c></summary>
    One,

    /// <summary><c>{"texts": ["...", ...]}</c></summary>
    Many,

    /// <summary>Either of them.</summary>
    OneOrMany,
}

/// <summary>A request's texts, checked against the limits, or the problem to answer instead.</summary>
/// <param name="Aspects">The <c>aspects</c> field, on routes that read it; null when absent.</param>
/// <param name="Model">The model the request names (<c>"model"</c> in the body, or <c>?model=</c> on the Flask routes); null for the default.</param>
internal readonly record struct TextsBody(string[] Texts, double? NeutralThreshold, ProblemHttpResult? Problem, AspectsField? Aspects = null, string? Model = null);

/// <summary>The body of a reload: the new source, null to reload from the model's own; or the problem to answer instead.</summary>
internal readonly record struct ReloadBody(string? Source, ProblemHttpResult? Problem);

/// <summary>The <c>aspects</c> of a request: a preset's name or alias, or aspects of the request's own.</summary>
internal sealed record AspectsField(string? Preset, Aspect[]? Custom);

/// <summary>
/// Reads JSON request bodies by hand rather than through parameter binding, so that every malformed body gets a
/// 4xx problem that says what is wrong and where (binding failures would surface as bare 400s or 500s), and the
/// read is bounded by the body limit even where the server sets none.
/// </summary>
internal static class RequestReader
{
    /// <summary>Limits of a request's own aspects: how many, how many terms each, and how long a name or term.</summary>
    public const int MaxAspects = 100, MaxAspectTerms = 200, MaxAspectChars = 50;

    private static readonly string[] NoTexts = [];

    private delegate T JsonParser<T>(ReadOnlySpan<byte> json);

    /// <param name="otherRoute">The route that takes the other shape (/predict_batch for /predict and back), named when a body has its field.</param>
    /// <param name="readAspects">Read the <c>aspects</c> field (<c>/v1/analyze</c>); other routes skip it like any unknown field.</param>
    /// <param name="modelInQuery">Take the model from <c>?model=</c> (the Flask routes, whose body stays the Flask service's) rather than the body.</param>
    public static async ValueTask<TextsBody> ReadAsync(HttpRequest request, ServiceOptions options, TextShape shape, string? otherRoute = null, bool readAspects = false, bool modelInQuery = false)
    {
        string? model = null;
        if (modelInQuery && request.Query.TryGetValue("model", out var values))
        {
            if (values.Count > 1) return Bad("`model` appears more than once in the query.");
            model = values[0];
        }
        var body = await ReadJsonAsync(request, options, json => Parse(json, options, shape, otherRoute, readAspects, !modelInQuery), Fail);
        return modelInQuery && body.Problem is null ? body with { Model = model } : body;
    }

    /// <summary>Reads a reload's body: none, or <c>{"source": "..."}</c>.</summary>
    public static async ValueTask<ReloadBody> ReadReloadAsync(HttpRequest request, ServiceOptions options)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey(HeaderNames.TransferEncoding)))
            return new ReloadBody(null, null);
        return await ReadJsonAsync(request, options, ParseReload, (status, detail) => new ReloadBody(null, TypedResults.Problem(detail, statusCode: status)));
    }

    /// <summary>Checks the content type and the size, reads the whole body, and parses it; the problems come from <paramref name="fail"/>.</summary>
    private static async ValueTask<T> ReadJsonAsync<T>(HttpRequest request, ServiceOptions options, JsonParser<T> parse, Func<int, string, T> fail)
    {
        T TooLarge() => fail(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {options.MaxRequestBodyBytes} bytes; send fewer or shorter texts per request.");

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            return fail(StatusCodes.Status415UnsupportedMediaType, $"Send the body as JSON with Content-Type: application/json (got '{request.ContentType}').");
        if (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return fail(StatusCodes.Status415UnsupportedMediaType, $"Send the body as UTF-8 (got charset '{type.Charset}').");
        if (request.ContentLength > options.MaxRequestBodyBytes) return TooLarge();

        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(request.HttpContext.RequestAborted);
                var buffer = read.Buffer;
                if (buffer.Length > options.MaxRequestBodyBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    return TooLarge();
                }
                if (!read.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                try
                {
                    if (buffer.IsSingleSegment) return parse(buffer.FirstSpan);
                    var copy = ArrayPool<byte>.Shared.Rent((int)buffer.Length);
                    try
                    {
                        buffer.CopyTo(copy);
                        return parse(copy.AsSpan(0, (int)buffer.Length));
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(copy);
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own checks: its body size limit (413), malformed chunking, a body sent too slowly.
            return fail(e.StatusCode, e.Message);
        }
    }

    private static ReloadBody ParseReload(ReadOnlySpan<byte> json)
    {
        static ReloadBody Problem(string detail) => new(null, TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest));
        if (json.StartsWith("\uFEFF"u8)) json = json[3..];
        if (json.Trim(" \t\r\n"u8).IsEmpty) return new ReloadBody(null, null);
        if (!Utf8.IsValid(json)) return Problem("The body is not valid UTF-8.");
        string? source = null;
        bool hasSource = false;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Problem("The body must be a JSON object, such as {\"source\": \"modelscope:iic/nlp_structbert_sentiment-classification_chinese-base\"}, or empty.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("source"u8))
                {
                    if (hasSource) return Problem("`source` appears more than once.");
                    hasSource = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) source = reader.GetString();
                    else if (reader.TokenType != JsonTokenType.Null) return Problem($"`source` must be a string (a folder, modelscope:ORG/NAME[@REV] or default), not {Describe(reader.TokenType)}.");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            return Problem($"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            return Problem($"A string in the body is not valid Unicode: {e.Message}");
        }
        if (source is not null && string.IsNullOrWhiteSpace(source)) return Problem("`source` is empty; leave it out to reload the model from its own source.");
        return new ReloadBody(source, null);
    }

    private static TextsBody Parse(ReadOnlySpan<byte> json, ServiceOptions options, TextShape shape, string? otherRoute, bool readAspects, bool readModel)
    {
        if (json.StartsWith("\uFEFF"u8)) json = json[3..];
        if (json.Trim(" \t\r\n"u8).IsEmpty) return Bad("The body is empty; send a JSON object such as {\"text\": \"这家店的服务态度真是太好了\"}.");
        if (!Utf8.IsValid(json)) return Bad("The body is not valid UTF-8.");

        string? text = null, model = null;
        List<string>? texts = null;
        double? threshold = null;
        AspectsField? aspects = null;
        bool hasText = false, hasTexts = false, hasThreshold = false, hasAspects = false, hasModel = false;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Bad("The body must be a JSON object, such as {\"text\": \"这家店的服务态度真是太好了\"}.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("text"u8))
                {
                    if (hasText) return Twice("text");
                    reader.Read();
                    hasText = true;
                    if (reader.TokenType == JsonTokenType.String) text = reader.GetString();
                    else if (reader.TokenType != JsonTokenType.Null) return Bad($"`text` must be a string, not {Describe(reader.TokenType)}.");
                }
                else if (reader.ValueTextEquals("texts"u8))
                {
                    if (hasTexts) return Twice("texts");
                    reader.Read();
                    hasTexts = true;
                    if (reader.TokenType == JsonTokenType.Null) continue;
                    if (reader.TokenType != JsonTokenType.StartArray) return Bad($"`texts` must be an array of strings, not {Describe(reader.TokenType)}.");
                    texts = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.String) return Bad($"`texts[{texts.Count}]` must be a string, not {Describe(reader.TokenType)}.");
                        if (texts.Count == options.MaxBatchTexts) return Bad($"`texts` holds more than {options.MaxBatchTexts} texts; send at most {options.MaxBatchTexts} per request.");
                        texts.Add(reader.GetString()!);
                    }
                }
                else if (reader.ValueTextEquals("neutral_threshold"u8))
                {
                    if (hasThreshold) return Twice("neutral_threshold");
                    reader.Read();
                    hasThreshold = true;
                    if (reader.TokenType == JsonTokenType.Number) threshold = reader.GetDouble();
                    else if (reader.TokenType != JsonTokenType.Null) return Bad($"`neutral_threshold` must be a number, not {Describe(reader.TokenType)}.");
                }
                else if (readModel && reader.ValueTextEquals("model"u8))
                {
                    if (hasModel) return Twice("model");
                    reader.Read();
                    hasModel = true;
                    if (reader.TokenType == JsonTokenType.String) model = reader.GetString();
                    else if (reader.TokenType != JsonTokenType.Null) return Bad($"`model` must be a model's name (GET /v1/models lists them), not {Describe(reader.TokenType)}.");
                }
                else if (readAspects && reader.ValueTextEquals("aspects"u8))
                {
                    if (hasAspects) return Twice("aspects");
                    reader.Read();
                    hasAspects = true;
                    var problem = ReadAspects(ref reader, out aspects);
                    if (problem is not null) return Bad(problem);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            // Anything after the object but whitespace makes the reader throw.
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            return Bad($"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // GetString's refusal of escapes that are not Unicode: a lone or reversed surrogate such as "\ud800".
            return Bad($"A string in the body is not valid Unicode: {e.Message}");
        }

        if (threshold is < 0 or > 1) return Bad($"`neutral_threshold` must be between 0 and 1 (is {threshold}).");
        if (shape == TextShape.OneOrMany && hasText && hasTexts) return Bad("Send either `text` or `texts`, not both.");
        string[] found;
        bool single = shape == TextShape.One || (shape == TextShape.OneOrMany && !hasTexts);
        if (single)
        {
            if (!hasText && hasTexts && otherRoute is not null)
                return Bad($"The body has no `text` but `texts`: this route takes one text; send several to {otherRoute} as {{\"texts\": [\"...\", \"...\"]}}.");
            if (!hasText) return Bad(shape == TextShape.One ? "The body has no `text`: send {\"text\": \"...\"}." : "The body has neither `text` nor `texts`.");
            if (text is null) return Bad("`text` must be a string, not null.");
            found = [text];
        }
        else
        {
            if (!hasTexts && hasText && otherRoute is not null)
                return Bad($"The body has no `texts` but `text`: this route takes a list; send {{\"texts\": [\"...\"]}}, or one text to {otherRoute} as {{\"text\": \"...\"}}.");
            if (!hasTexts) return Bad("The body has no `texts`: send {\"texts\": [\"...\", \"...\"]}.");
            if (texts is null) return Bad("`texts` must be an array of strings, not null.");
            if (texts.Count == 0) return Bad("`texts` is empty; send at least one text.");
            found = texts.ToArray();
        }

        for (int i = 0; i < found.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(found[i])) return Bad($"{Where(single, i)} is empty or only whitespace.");
            if (found[i].Length > options.MaxTextChars) return Bad($"{Where(single, i)} has {found[i].Length} characters; the limit is {options.MaxTextChars}.");
        }
        return new TextsBody(found, threshold, null, aspects, model);
    }

    /// <summary>
    /// Reads <c>"电商"</c>, or <c>["物流", {"name": "价格", "terms": ["性价比", "便宜"]}, ...]</c>; returns what is wrong, or null.
    /// The reader stands on the field's value and is left on its last token.
    /// </summary>
    private static string? ReadAspects(ref Utf8JsonReader reader, out AspectsField? aspects)
    {
        aspects = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                var preset = reader.GetString()!;
                if (string.IsNullOrWhiteSpace(preset)) return "`aspects` is an empty preset name; send a preset such as \"电商\" or a list of aspects.";
                aspects = new AspectsField(preset, null);
                return null;
            case JsonTokenType.StartArray:
                break;
            default:
                return $"`aspects` must be a preset's name or an array of aspects, not {Describe(reader.TokenType)}.";
        }

        var list = new List<Aspect>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            string where = $"`aspects[{list.Count}]`";
            if (list.Count == MaxAspects) return $"`aspects` holds more than {MaxAspects} aspects.";
            string? name = null;
            var terms = new List<string>();
            if (reader.TokenType == JsonTokenType.String)
            {
                name = reader.GetString();
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                bool hasTerms = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("name"u8))
                    {
                        if (name is not null) return $"{where}.name appears more than once.";
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.String) return $"{where}.name must be a string, not {Describe(reader.TokenType)}.";
                        name = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("terms"u8))
                    {
                        if (hasTerms) return $"{where}.terms appears more than once.";
                        hasTerms = true;
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray) return $"{where}.terms must be an array of strings, not {Describe(reader.TokenType)}.";
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType != JsonTokenType.String) return $"{where}.terms[{terms.Count}] must be a string, not {Describe(reader.TokenType)}.";
                            if (terms.Count == MaxAspectTerms) return $"{where}.terms holds more than {MaxAspectTerms} terms.";
                            var term = reader.GetString()!;
                            if (string.IsNullOrWhiteSpace(term) || term.Length > MaxAspectChars)
                                return $"{where}.terms[{terms.Count}] must have 1 to {MaxAspectChars} characters besides white space.";
                            terms.Add(term.Trim());
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
                if (name is null) return $"{where} has no `name`: send {{\"name\": \"物流\", \"terms\": [\"快递\", \"发货\"]}}.";
            }
            else
            {
                return $"{where} must be a name or an object {{\"name\", \"terms\"}}, not {Describe(reader.TokenType)}.";
            }

            if (string.IsNullOrWhiteSpace(name) || name.Length > MaxAspectChars)
                return $"{where} needs a name of 1 to {MaxAspectChars} characters besides white space.";
            name = name.Trim();
            if (!names.Add(name)) return $"`aspects` names '{name}' twice.";
            list.Add(new Aspect(name, terms));
        }
        if (list.Count == 0) return "`aspects` is empty; leave it out, or send a preset's name or at least one aspect.";
        aspects = new AspectsField(null, [.. list]);
        return null;
    }

    // Parsers disagree on which duplicate wins; refusing them leaves nothing to disagree about.
    private static TextsBody Twice(string key) => Bad($"`{key}` appears more than once.");

    private static string Where(bool single, int index) => single ? "`text`" : $"`texts[{index}]`";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "a string",
    };

    private static TextsBody Bad(string detail) => Fail(StatusCodes.Status400BadRequest, detail);

    private static TextsBody Fail(int status, string detail) => new(NoTexts, null, TypedResults.Problem(detail, statusCode: status));
}
