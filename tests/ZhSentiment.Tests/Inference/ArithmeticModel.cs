using System.Collections.Concurrent;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

/// <summary>
/// A transparent model for testing the engine's batching: each character is a token, and the logits are simple
/// functions of the real (unpadded) tokens, so a test can compute the expected answer of any text by hand.
/// </summary>
internal sealed class ArithmeticModel : IClassifierBackend, ITextEncoder
{
    public const int Cls = 1, Sep = 2;

    private static readonly int[] PrefixIds = [Cls], SuffixIds = [Sep];

    /// <param name="labels">Outputs: with 2, see <see cref="LogitsOf"/>; with any other number, logit k counts the letter 'a' + k.</param>
    public ArithmeticModel(int maxSequenceLength = 16, int labels = 2)
    {
        MaxSequenceLength = maxSequenceLength;
        LabelCount = labels;
    }

    public int LabelCount { get; }
    public int MaxSequenceLength { get; }

    /// <summary>(rows, sequence length) of every batch run.</summary>
    public ConcurrentQueue<(int Rows, int Length)> Batches { get; } = new();

    /// <summary>Held before each batch runs, so tests can let work pile up.</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    /// <summary>A batch containing this token id fails.</summary>
    public int? PoisonId { get; set; }

    public ReadOnlySpan<int> Prefix => PrefixIds;
    public ReadOnlySpan<int> Suffix => SuffixIds;

    public void Encode(string text, List<int> ids)
    {
        foreach (var c in text)
            if (!char.IsWhiteSpace(c)) ids.Add(TokenId(c));
    }

    public string IdToToken(int id) => id switch { Cls => "[CLS]", Sep => "[SEP]", 29 => "?", _ => ((char)(id - 3 + 'a')).ToString() };

    /// <summary>a..z are ids 3..28; any other character is 29.</summary>
    public static int TokenId(char c) => c is >= 'a' and <= 'z' ? 3 + c - 'a' : 29;

    /// <summary>
    /// Logits of one window: two labels [sum of ids / 100, tokens / 10], special tokens included; otherwise per label k
    /// the number of tokens of the letter 'a' + k.
    /// </summary>
    public static float[] LogitsOf(IEnumerable<int> windowIds, int labels = 2)
    {
        var ids = windowIds.ToList();
        if (labels == 2) return [ids.Sum() / 100f, ids.Count / 10f];
        var logits = new float[labels];
        foreach (int id in ids) if (id - 3 is var k && k >= 0 && k < labels) logits[k]++;
        return logits;
    }

    /// <summary>Batches that reached the model and wait at <see cref="Gate"/>.</summary>
    public int Held => Volatile.Read(ref _held);

    private int _held;

    public void Run(EncodedBatch batch, Span<float> logits)
    {
        Interlocked.Increment(ref _held);
        Gate.Wait();
        Interlocked.Decrement(ref _held);
        Batches.Enqueue((batch.Rows, batch.SequenceLength));
        var ids = new List<int>();
        for (int r = 0; r < batch.Rows; r++)
        {
            if (LabelCount != 2)
            {
                ids.Clear();
                for (int i = 0; i < batch.SequenceLength; i++)
                    if (batch.AttentionMask[r * batch.SequenceLength + i] != 0) ids.Add(batch.InputIds[r * batch.SequenceLength + i]);
                LogitsOf(ids, LabelCount).CopyTo(logits.Slice(r * LabelCount, LabelCount));
                continue;
            }
            float sum = 0, count = 0;
            for (int i = 0; i < batch.SequenceLength; i++)
            {
                int at = r * batch.SequenceLength + i;
                if (batch.AttentionMask[at] == 0) continue;
                if (batch.InputIds[at] == PoisonId) throw new InvalidOperationException("poisoned batch");
                sum += batch.InputIds[at];
                count++;
            }
            logits[r * 2] = sum / 100f;
            logits[r * 2 + 1] = count / 10f;
        }
    }

    public void Dispose() => Gate.Dispose();
}
