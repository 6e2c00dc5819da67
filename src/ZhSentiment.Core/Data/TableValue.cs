using System.Globalization;

namespace ZhSentiment.Data;

/// <summary>What a <see cref="TableValue"/> holds. CSV and TSV values are always <see cref="String"/>.</summary>
public enum TableValueKind : byte
{
    /// <summary>No value: a JSON Lines object without this key.</summary>
    Missing,
    String,
    /// <summary>A JSON number, kept as its source text.</summary>
    Number,
    Boolean,
    /// <summary>JSON <c>null</c>.</summary>
    Null,
    /// <summary>A nested JSON object or array, kept as its source text.</summary>
    Json,
}

/// <summary>One cell: its text (a string's value, a number's or nested JSON's source text, "true"/"false") and its kind.</summary>
public readonly record struct TableValue(string? Text, TableValueKind Kind)
{
    public static TableValue String(string? text) => new(text, text is null ? TableValueKind.Null : TableValueKind.String);

    public static TableValue Number(float value) => new(value.ToString("R", CultureInfo.InvariantCulture), TableValueKind.Number);

    public static TableValue Number(long value) => new(value.ToString(CultureInfo.InvariantCulture), TableValueKind.Number);
}
