namespace ZhSentiment.Text;

/// <summary>One step of a tokenizer.json normalizer: rewrites text into a buffer.</summary>
internal interface ISpanNormalizer
{
    /// <summary>Appends the normalized form of <paramref name="text"/> to <paramref name="output"/>.</summary>
    void Normalize(ReadOnlySpan<char> text, ref PooledBuffer<char> output);
}
