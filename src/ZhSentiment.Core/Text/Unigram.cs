using System.Buffers;

namespace ZhSentiment.Text;

/// <summary>
/// Hugging Face's <c>Unigram</c> model (SentencePiece's unigram language model), as its Rust <c>encode_optimized</c>
/// segments a word: the Viterbi path of highest total piece score, pieces tried shortest first from each character,
/// a tie kept by the path found first. A character that starts no one-character piece may be covered by the unknown
/// token at the lowest score less 10; consecutive unknowns are fused into one token, which is looked up whole, then
/// broken into <c>&lt;0xXX&gt;</c> byte pieces with byte fallback, else the unknown id.
/// </summary>
internal sealed class Unigram
{
    private const double UnknownPenalty = 10.0;

    private readonly PieceTrie _trie;
    private readonly double[] _scores;
    private readonly string[] _pieces;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ids;
    private readonly double _unknownScore;
    private readonly int[]? _byteIds;

    /// <param name="pieces">The vocabulary in id order, with scores (log probabilities).</param>
    public Unigram(IReadOnlyList<(string Piece, double Score)> pieces, int unknownId, bool byteFallback)
    {
        if (pieces.Count == 0) throw new ArgumentException("A Unigram vocabulary needs at least the unknown token.", nameof(pieces));
        ArgumentOutOfRangeException.ThrowIfNegative(unknownId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unknownId, pieces.Count);
        _pieces = pieces.Select(p => p.Piece).ToArray();
        _scores = pieces.Select(p => p.Score).ToArray();
        // As HF's token_to_ids map: a repeated piece answers with its last id.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _pieces.Length; id++) ids[_pieces[id]] = id;
        _ids = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _trie = new PieceTrie(ids);
        _unknownScore = _scores.Min() - UnknownPenalty;
        UnknownId = unknownId;
        if (byteFallback)
            _byteIds = Enumerable.Range(0, 256).Select(b => ids.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1).ToArray();
    }

    public int UnknownId { get; }

    public int Count => _pieces.Length;

    public bool ByteFallback => _byteIds is not null;

    public string Piece(int id) => _pieces[id];

    public bool TryGetId(ReadOnlySpan<char> piece, out int id) => _ids.TryGetValue(piece, out id);

    /// <summary>Writes the pieces of one pre-tokenized word (no unpaired surrogates) to <paramref name="sink"/>.</summary>
    public void Tokenize<TSink>(ReadOnlySpan<char> word, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (word.IsEmpty) return;
        int n = word.Length;
        var best = ArrayPool<double>.Shared.Rent(n + 1);
        var from = ArrayPool<int>.Shared.Rent(n + 1);
        var ids = ArrayPool<int>.Shared.Rent(n + 1);
        try
        {
            from.AsSpan(0, n + 1).Fill(-1);
            best[0] = 0;
            for (int start = 0; start < n;)
            {
                int charLength = char.IsHighSurrogate(word[start]) && start + 1 < n && char.IsLowSurrogate(word[start + 1]) ? 2 : 1;
                double here = best[start];
                bool single = false;
                int node = PieceTrie.Root;
                for (int end = start; end < n && _trie.TryStep(ref node, word[end]);)
                {
                    end++;
                    int id = _trie.ValueOf(node);
                    if (id < 0) continue;
                    Relax(end, here + _scores[id], start, id, best, from, ids);
                    if (end - start == charLength) single = true;
                }
                if (!single) Relax(start + charLength, here + _unknownScore, start, UnknownId, best, from, ids);
                start += charLength;
            }
            Emit(word, from, ids, ref sink);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(from);
            ArrayPool<int>.Shared.Return(ids);
        }
    }

    private static void Relax(int end, double score, int start, int id, double[] best, int[] from, int[] ids)
    {
        if (from[end] >= 0 && score <= best[end]) return;
        best[end] = score;
        from[end] = start;
        ids[end] = id;
    }

    /// <summary>The best path, read back from the end, written in order; runs of unknowns fused.</summary>
    private void Emit<TSink>(ReadOnlySpan<char> word, int[] from, int[] ids, ref TSink sink) where TSink : struct, ITokenSink
    {
        // Path nodes are collected by their end positions, backwards, then written forwards.
        var ends = new PooledBuffer<int>(16);
        try
        {
            for (int end = word.Length; end > 0; end = from[end]) ends.Add(end);
            var path = ends.Span;
            for (int k = path.Length - 1; k >= 0; k--)
            {
                int end = path[k], start = from[end], id = ids[end];
                if (id != UnknownId)
                {
                    sink.Add(id);
                    continue;
                }
                while (k > 0 && ids[path[k - 1]] == UnknownId) end = path[--k];
                EmitUnknown(word[start..end], ref sink);
            }
        }
        finally
        {
            ends.Dispose();
        }
    }

    private void EmitUnknown<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (_ids.TryGetValue(text, out int id))
        {
            sink.Add(id);
            return;
        }
        if (_byteIds is not null && TryEmitBytes(text, ref sink)) return;
        sink.AddMatched(UnknownId, text);
    }

    private bool TryEmitBytes<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITokenSink
    {
        var bytes = new PooledBuffer<byte>(text.Length * 3);
        try
        {
            Span<byte> utf8 = stackalloc byte[4];
            for (int i = 0; i < text.Length;)
            {
                System.Text.Rune.DecodeFromUtf16(text[i..], out var rune, out int used);
                bytes.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
                i += used;
            }
            foreach (byte b in bytes.Span)
                if (_byteIds![b] < 0) return false;
            foreach (byte b in bytes.Span) sink.Add(_byteIds![b]);
            return true;
        }
        finally
        {
            bytes.Dispose();
        }
    }
}
