namespace ZhSentiment.Text;

/// <summary>
/// A token matched in the text before WordPiece (HF's <c>added_tokens</c>: [CLS], [SEP], [MASK]... typed by a
/// user). <see cref="Normalized"/> tokens match the normalized text, the others the raw text; <see cref="LStrip"/> and
/// <see cref="RStrip"/> also swallow the whitespace beside a match.
/// </summary>
internal sealed record AddedToken(string Content, bool Normalized = false, bool LStrip = false, bool RStrip = false);
