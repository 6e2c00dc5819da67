namespace ZhSentiment.Text;

/// <summary>HF's <c>Strip</c> normalizer: drops Unicode whitespace (Rust's <c>char::is_whitespace</c>) at either end.</summary>
internal sealed class StripNormalizer(bool left, bool right) : ISpanNormalizer
{
    public void Normalize(ReadOnlySpan<char> text, ref PooledBuffer<char> output)
    {
        // .NET's char.IsWhiteSpace is the same set as Unicode's White_Space, all of it in the BMP.
        if (left) text = text.TrimStart();
        if (right) text = text.TrimEnd();
        output.AddRange(text);
    }
}
