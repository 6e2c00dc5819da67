namespace ZhSentiment.Text;

/// <summary>Where the tokenizer writes its output: ids only on the hot path, token strings for inspection.</summary>
internal interface ITokenSink
{
    int Count { get; }

    /// <summary>A token of the model (its string is the vocabulary's).</summary>
    void Add(int id);

    /// <summary>A token that stands for the text it matched: an added token found in the text, or a run of unknown characters.</summary>
    void AddMatched(int id, ReadOnlySpan<char> text);

    /// <summary>Drops everything after the first <paramref name="count"/> tokens.</summary>
    void Truncate(int count);
}

internal readonly struct IdSink(List<int> ids) : ITokenSink
{
    public int Count => ids.Count;
    public void Add(int id) => ids.Add(id);
    public void AddMatched(int id, ReadOnlySpan<char> text) => ids.Add(id);
    public void Truncate(int count) => ids.RemoveRange(count, ids.Count - count);
}

internal readonly struct TokenStringSink(List<string> tokens, Func<int, string> tokenOf) : ITokenSink
{
    public int Count => tokens.Count;
    public void Add(int id) => tokens.Add(tokenOf(id));
    public void AddMatched(int id, ReadOnlySpan<char> text) => tokens.Add(text.ToString());
    public void Truncate(int count) => tokens.RemoveRange(count, tokens.Count - count);
}
