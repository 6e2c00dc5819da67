namespace ZhSentiment.Text;

/// <summary>HF's <c>Sequence</c> normalizer: each step reads what the previous one wrote.</summary>
internal sealed class NormalizerSequence(IReadOnlyList<ISpanNormalizer> steps) : ISpanNormalizer
{
    private readonly ISpanNormalizer[] _steps = [.. steps];

    public void Normalize(ReadOnlySpan<char> text, ref PooledBuffer<char> output)
    {
        if (_steps.Length == 0)
        {
            output.AddRange(text);
            return;
        }
        if (_steps.Length == 1)
        {
            _steps[0].Normalize(text, ref output);
            return;
        }
        var current = new PooledBuffer<char>(text.Length + 8);
        var next = new PooledBuffer<char>(text.Length + 8);
        try
        {
            _steps[0].Normalize(text, ref current);
            for (int i = 1; i < _steps.Length - 1; i++)
            {
                next.Clear();
                _steps[i].Normalize(current.Span, ref next);
                (current, next) = (next, current);
            }
            _steps[^1].Normalize(current.Span, ref output);
        }
        finally
        {
            current.Dispose();
            next.Dispose();
        }
    }
}
