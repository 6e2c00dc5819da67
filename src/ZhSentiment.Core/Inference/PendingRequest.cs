using System.Buffers;

namespace ZhSentiment.Inference;

/// <summary>
/// One caller's texts on their way through the batcher: collects each window's logits and, when the last window is
/// done, combines them into results. Windows complete on the batcher thread only; cancellation may come from any thread.
/// </summary>
internal sealed class PendingRequest
{
    private readonly LabelSet _labels;
    private readonly int[] _firstWindow; // per text, index of its first window; one extra entry holds the total
    private readonly int[] _tokens;
    private readonly float[] _logits;
    private readonly TaskCompletionSource<SentimentResult[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _cancellation;
    private int _remaining;
    private long _inferenceTicks;
    private long _lastBatch = -1;

    public PendingRequest(LabelSet labels, int[] firstWindow, int[] tokens, CancellationToken cancellationToken)
    {
        _labels = labels;
        _firstWindow = firstWindow;
        _tokens = tokens;
        _remaining = firstWindow[^1];
        _logits = new float[_remaining * labels.Count];
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.Register(static (state, token) => ((PendingRequest)state!)._completion.TrySetCanceled(token), this);
    }

    public Task<SentimentResult[]> Task => _completion.Task;

    /// <summary>True once the caller gave up (cancelled) or the request failed: its queued windows are dropped.</summary>
    public bool IsAbandoned => _completion.Task.IsCompleted;

    /// <summary>Records the logits of window <paramref name="window"/>, computed in batch number <paramref name="batch"/>.</summary>
    public void Complete(int window, ReadOnlySpan<float> logits, long batch, long batchTicks)
    {
        logits.CopyTo(_logits.AsSpan(window * _labels.Count, _labels.Count));
        if (batch != _lastBatch)
        {
            _lastBatch = batch;
            _inferenceTicks += batchTicks;
        }
        if (--_remaining == 0) Finish();
    }

    public void Fail(Exception error)
    {
        _completion.TrySetException(error);
        _cancellation.Dispose();
    }

    private void Finish()
    {
        int labels = _labels.Count;
        var results = new SentimentResult[_tokens.Length];
        var time = TimeSpan.FromTicks(_inferenceTicks);
        for (int t = 0; t < results.Length; t++)
        {
            int first = _firstWindow[t], count = _firstWindow[t + 1] - first;
            var probabilities = new float[labels];
            var logits = new float[labels];
            WindowCombiner.Combine(_logits.AsSpan(first * labels, count * labels), count, probabilities, logits, _labels);
            results[t] = new SentimentResult(_labels, probabilities, logits, _tokens[t], count, time);
        }
        _completion.TrySetResult(results);
        _cancellation.Dispose();
    }
}

/// <summary>One model window of a request: its ids (rented from the shared pool) and where its logits go.</summary>
internal readonly record struct WindowWork(PendingRequest Owner, int Window, int[] Ids, int Length, long EnqueuedAt)
{
    public void ReturnIds() => ArrayPool<int>.Shared.Return(Ids);
}
