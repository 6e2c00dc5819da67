namespace ZhSentiment.Inference;

/// <summary>Splits a text's content tokens into model windows (see <see cref="LongTextOptions"/>).</summary>
internal readonly struct TextWindows
{
    private readonly int _windowLength, _stride, _count, _contentLength;

    /// <param name="contentLength">Tokens in the text, special tokens excluded.</param>
    /// <param name="windowLength">Content tokens one window holds.</param>
    public TextWindows(int contentLength, int windowLength, LongTextOptions options)
    {
        if (windowLength < 1) throw new ArgumentOutOfRangeException(nameof(windowLength), "The model's maximum length leaves no room for text.");
        _contentLength = contentLength;
        _windowLength = windowLength;
        if (contentLength <= windowLength || options.Mode == LongTextMode.Truncate)
        {
            _count = 1;
            _stride = windowLength;
            return;
        }
        int overlap = Math.Clamp(options.Overlap ?? windowLength / 4, 0, windowLength - 1);
        _stride = windowLength - overlap;
        _count = Math.Min(1 + (contentLength - windowLength + _stride - 1) / _stride, Math.Max(1, options.MaxWindows));
    }

    public int Count => _count;

    /// <summary>Tokens the windows actually cover (fewer than the text's when truncated).</summary>
    public int CoveredTokens => _count == 1 ? Math.Min(_contentLength, _windowLength) : Math.Min(_contentLength, (_count - 1) * _stride + _windowLength);

    /// <summary>The content range of window <paramref name="index"/>. The last window of a split text ends at the text's end.</summary>
    public (int Start, int Length) this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            if (_count == 1) return (0, Math.Min(_contentLength, _windowLength));
            int start = index * _stride;
            if (start + _windowLength > _contentLength) start = _contentLength - _windowLength;
            return (start, Math.Min(_windowLength, _contentLength - start));
        }
    }
}
