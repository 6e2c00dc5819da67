namespace ZhSentiment.Inference;

/// <summary>
/// A padded batch of token sequences, row-major <c>[Rows, SequenceLength]</c>, as a backend consumes it.
/// The buffers grow to the largest batch seen and are reused, so steady-state batching allocates nothing.
/// </summary>
public sealed class EncodedBatch
{
    public int Rows { get; private set; }
    public int SequenceLength { get; private set; }

    /// <summary>Token ids; padding positions hold the pad id (0).</summary>
    public int[] InputIds { get; private set; } = [];

    /// <summary>1 for real tokens, 0 for padding.</summary>
    public int[] AttentionMask { get; private set; } = [];

    /// <summary>Segment ids (all 0 for single-text classification).</summary>
    public int[] TokenTypeIds { get; private set; } = [];

    /// <summary>Number of elements in use: <c>Rows * SequenceLength</c>.</summary>
    public int Length => Rows * SequenceLength;

    /// <summary>Sizes the batch and zeroes the part in use.</summary>
    public void Reset(int rows, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        int n = checked(rows * sequenceLength);
        if (InputIds.Length < n)
        {
            InputIds = new int[n];
            AttentionMask = new int[n];
            TokenTypeIds = new int[n];
        }
        else
        {
            Array.Clear(InputIds, 0, n);
            Array.Clear(AttentionMask, 0, n);
            Array.Clear(TokenTypeIds, 0, n);
        }
        Rows = rows;
        SequenceLength = sequenceLength;
    }

    /// <summary>Writes one row: the tokens, a mask of ones over them, padding after.</summary>
    public void SetRow(int row, ReadOnlySpan<int> tokenIds)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row));
        if (tokenIds.Length > SequenceLength) throw new ArgumentException($"A row of {tokenIds.Length} tokens does not fit a batch of length {SequenceLength}.", nameof(tokenIds));
        int start = row * SequenceLength;
        tokenIds.CopyTo(InputIds.AsSpan(start));
        AttentionMask.AsSpan(start, tokenIds.Length).Fill(1);
    }
}
