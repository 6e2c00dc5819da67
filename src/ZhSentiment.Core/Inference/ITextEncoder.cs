namespace ZhSentiment.Inference;

/// <summary>Turns text into the token ids a model reads: the WordPiece tokenizer for BERT, the n-gram featurizer for compact models.</summary>
public interface ITextEncoder
{
    /// <summary>Appends the ids of the text's tokens, without special tokens, to <paramref name="ids"/>.</summary>
    void Encode(string text, List<int> ids);

    /// <summary>The ids placed before each window's content ([CLS] for BERT; none for compact models).</summary>
    ReadOnlySpan<int> Prefix { get; }

    /// <summary>The ids placed after each window's content ([SEP] for BERT; none for compact models).</summary>
    ReadOnlySpan<int> Suffix { get; }

    /// <summary>The token a given id stands for, for display.</summary>
    string IdToToken(int id);
}
