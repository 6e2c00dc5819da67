namespace ZhSentiment.Text;

/// <summary>
/// A token matched in the text before the model (HF's <c>added_tokens</c>: [CLS], [SEP], &lt;mask&gt;... typed by a
/// user). <see cref="Normalized"/> tokens match the normalized text, the others the raw text; <see cref="LStrip"/> and
/// <see cref="RStrip"/> also swallow the whitespace beside a match.
/// </summary>
internal sealed record AddedToken(string Content, bool Normalized = false, bool LStrip = false, bool RStrip = false)
{
    /// <summary>
    /// HF's ids for added tokens: the vocabulary's id when the content is in it, else the next id after the
    /// vocabulary (counted in distinct tokens) and the added tokens so far. A repeated content keeps its id.
    /// </summary>
    public static List<(AddedToken Token, int Id)> AssignIds(IEnumerable<AddedToken> tokens, Func<string, int?> vocabularyId, int vocabularyCount)
    {
        var result = new List<(AddedToken Token, int Id)>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            if (token.Content.Length == 0) continue;
            if (ids.TryGetValue(token.Content, out int id))
            {
                result[result.FindIndex(a => a.Id == id)] = (token, id);
                continue;
            }
            if (vocabularyId(token.Content) is { } known) id = known;
            else
            {
                int max = ids.Count == 0 ? -1 : ids.Values.Max();
                id = max >= vocabularyCount ? max + 1 : vocabularyCount;
            }
            ids.Add(token.Content, id);
            result.Add((token, id));
        }
        return result;
    }
}
