using System.Collections.Concurrent;
using System.Diagnostics;

namespace ZhSentiment.Inference;

/// <summary>
/// Coalesces windows from concurrent callers into model batches on one dedicated thread. A batch is anchored on the
/// oldest waiting window (so nothing starves) and filled with the waiting windows closest to it in length (so padding
/// stays small), up to a token budget and a row limit. The queue is bounded: past its capacity callers are refused.
/// </summary>
internal sealed class DynamicBatcher : IDisposable
{
    /// <summary>How many of the oldest windows a batch is chosen from.</summary>
    private const int Lookahead = 256;

    private readonly IClassifierBackend _backend;
    private readonly EngineOptions _options;
    private readonly EngineMetrics _metrics;
    private readonly ConcurrentQueue<WindowWork> _incoming = new();
    private readonly Lock _incomingLock = new();
    private readonly Queue<WindowWork> _waiting = new();
    private readonly List<WindowWork> _head = new(Lookahead);
    private readonly long[] _order = new long[Lookahead];
    private readonly bool[] _taken = new bool[Lookahead];
    private readonly List<WindowWork> _chosen = [];
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly EncodedBatch _batch = new();
    private readonly Thread _thread;
    private float[] _logits = [];
    private int _queued;
    private int _running;
    private long _batchNumber;
    private volatile bool _stopping;

    /// <param name="model">The model's name, which tags the batcher's metrics.</param>
    public DynamicBatcher(IClassifierBackend backend, EngineOptions options, string model)
    {
        _backend = backend;
        _options = options;
        _metrics = new EngineMetrics(model, () => Volatile.Read(ref _queued), () => Volatile.Read(ref _queued) + Volatile.Read(ref _running));
        _thread = new Thread(Loop) { IsBackground = true, Name = "zhsenti-batcher" };
        _thread.Start();
    }

    /// <summary>Windows waiting for the model.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>Queues all of a request's windows, or none when the queue is full (an empty queue takes any request).</summary>
    public void Enqueue(ReadOnlySpan<WindowWork> windows)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        int after = Interlocked.Add(ref _queued, windows.Length);
        if (after > _options.QueueCapacity && after > windows.Length)
        {
            Interlocked.Add(ref _queued, -windows.Length);
            throw new EngineOverloadedException(after - windows.Length, _options.QueueCapacity);
        }
        // Under the lock that Drain takes, so a request's windows reach the batcher together: batches are then formed
        // from whole requests, and one caller's sequence of requests is always batched (and padded) the same way,
        // which keeps scores, and a model distilled from them, the same bit for bit.
        lock (_incomingLock)
            foreach (var w in windows) _incoming.Enqueue(w);
        _wake.Set();
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
        _metrics.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            Drain();
            if (_head.Count == 0)
            {
                if (_stopping) break;
                _wake.Wait();
                _wake.Reset();
                continue;
            }
            WaitForCompanions();
            if (ChooseBatch()) RunBatch();
        }
        FailWaiting(new ObjectDisposedException(nameof(SentimentEngine), "The engine is shutting down."));
    }

    /// <summary>Moves newly queued windows behind the waiting ones, keeping the lookahead full.</summary>
    private void Drain()
    {
        _wake.Reset();
        lock (_incomingLock)
            while (_incoming.TryDequeue(out var w)) _waiting.Enqueue(w);
        while (_head.Count < Lookahead && _waiting.TryDequeue(out var w)) _head.Add(w);
    }

    /// <summary>With a batch wait configured, lets the oldest window wait a little for others while the batch is not full.</summary>
    private void WaitForCompanions()
    {
        if (_options.MaxBatchWait <= TimeSpan.Zero) return;
        long deadline = _head[0].EnqueuedAt + (long)(_options.MaxBatchWait.TotalSeconds * Stopwatch.Frequency);
        while (!_stopping && _head.Count < _options.MaxBatchRows && _waiting.Count == 0)
        {
            long left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) break;
            _wake.Wait(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            Drain();
        }
    }

    private bool ChooseBatch()
    {
        _chosen.Clear();
        int candidates = 0, anchor = -1;
        for (int i = 0; i < _head.Count; i++)
        {
            if (_head[i].Owner.IsAbandoned) continue;
            if (anchor < 0) anchor = _head[i].Length;
            // Sort key: distance in length from the oldest live window, then arrival order, so the oldest comes first.
            _order[candidates++] = ((long)Math.Abs(_head[i].Length - anchor) << 32) | (uint)i;
        }
        Array.Sort(_order, 0, candidates);
        Array.Clear(_taken);
        int longest = 0;
        long real = 0;
        for (int k = 0; k < candidates && _chosen.Count < _options.MaxBatchRows; k++)
        {
            int i = (int)(_order[k] & 0xFFFFFFFF);
            int len = Math.Max(longest, _head[i].Length);
            long padded = (long)len * (_chosen.Count + 1);
            if (_chosen.Count > 0 && padded > _options.MaxBatchTokens) continue;
            // At most half of a batch may be padding: a clause of 10 tokens waits for its own batch rather than being
            // padded to the 300 of a whole review queued beside it (the model's cost is the padded size).
            if (_chosen.Count > 0 && padded > 2 * (real + _head[i].Length)) continue;
            longest = len;
            real += _head[i].Length;
            _chosen.Add(_head[i]);
            _taken[i] = true;
        }
        int kept = 0;
        for (int i = 0; i < _head.Count; i++)
        {
            if (_taken[i]) continue;
            if (_head[i].Owner.IsAbandoned) { Drop(_head[i]); continue; }
            _head[kept++] = _head[i];
        }
        _head.RemoveRange(kept, _head.Count - kept);
        // Counted as running before they stop counting as queued, so the in-flight gauge never dips in between.
        Volatile.Write(ref _running, _chosen.Count);
        Interlocked.Add(ref _queued, -_chosen.Count);
        return _chosen.Count > 0;
    }

    private void Drop(WindowWork w)
    {
        w.ReturnIds();
        Interlocked.Decrement(ref _queued);
    }

    private void RunBatch()
    {
        int rows = _chosen.Count, longest = 1;
        foreach (var w in _chosen) longest = Math.Max(longest, w.Length);
        _batch.Reset(rows, longest);
        long now = Stopwatch.GetTimestamp();
        double waits = 0;
        for (int r = 0; r < rows; r++)
        {
            _batch.SetRow(r, _chosen[r].Ids.AsSpan(0, _chosen[r].Length));
            double wait = Stopwatch.GetElapsedTime(_chosen[r].EnqueuedAt, now).TotalSeconds;
            _metrics.QueueWaitSeconds.Record(wait);
            waits += wait;
        }
        _metrics.RecentQueueWait.Record(waits, rows, now);

        int labels = _backend.LabelCount;
        if (_logits.Length < rows * labels) _logits = new float[rows * labels];
        long started = Stopwatch.GetTimestamp();
        try
        {
            _backend.Run(_batch, _logits.AsSpan(0, rows * labels));
        }
        catch (Exception e)
        {
            foreach (var w in _chosen)
            {
                w.Owner.Fail(e);
                w.ReturnIds();
            }
            return;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
        long elapsed = Stopwatch.GetTimestamp() - started;
        long batch = ++_batchNumber;
        long ticks = (long)(elapsed * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        for (int r = 0; r < rows; r++)
        {
            var w = _chosen[r];
            if (!w.Owner.IsAbandoned) w.Owner.Complete(w.Window, _logits.AsSpan(r * labels, labels), batch, ticks);
            w.ReturnIds();
        }
        _metrics.BatchRows.Record(rows);
        _metrics.BatchTokens.Record(rows * longest);
        _metrics.InferenceSeconds.Record((double)elapsed / Stopwatch.Frequency);
    }

    private void FailWaiting(Exception error)
    {
        Drain();
        while (_waiting.TryDequeue(out var w)) _head.Add(w);
        foreach (var w in _head)
        {
            w.Owner.Fail(error);
            Drop(w);
        }
        _head.Clear();
    }
}
