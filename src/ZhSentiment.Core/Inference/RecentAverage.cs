using System.Diagnostics;

namespace ZhSentiment.Inference;

/// <summary>
/// The mean of the values recorded in the last <see cref="Seconds"/> seconds, in one-second slots of a fixed ring
/// (no allocation per value), and 0 when none were: a gauge an autoscaler can read, which falls back to zero when the
/// service is idle where a histogram's rate would be 0/0.
/// </summary>
internal sealed class RecentAverage(int seconds)
{
    private readonly double[] _sums = new double[seconds];
    private readonly long[] _counts = new long[seconds];
    private readonly long[] _slotSecond = new long[seconds];
    private readonly Lock _lock = new();

    public int Seconds { get; } = seconds;

    /// <summary>Records <paramref name="count"/> values adding up to <paramref name="sum"/>, at <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Record(double sum, int count, long timestamp)
    {
        long second = timestamp / Stopwatch.Frequency;
        int slot = (int)(second % Seconds);
        lock (_lock)
        {
            if (_slotSecond[slot] != second)
            {
                _slotSecond[slot] = second;
                _sums[slot] = 0;
                _counts[slot] = 0;
            }
            _sums[slot] += sum;
            _counts[slot] += count;
        }
    }

    /// <summary>The mean over the slots of the last <see cref="Seconds"/> seconds before <paramref name="timestamp"/>, the current one included.</summary>
    public double Average(long timestamp)
    {
        long now = timestamp / Stopwatch.Frequency;
        double sum = 0;
        long count = 0;
        lock (_lock)
        {
            for (int i = 0; i < Seconds; i++)
            {
                if (now - _slotSecond[i] >= Seconds || _counts[i] == 0) continue;
                sum += _sums[i];
                count += _counts[i];
            }
        }
        return count == 0 ? 0 : sum / count;
    }
}
