using System.Net;

namespace ZhSentiment.Tests;

/// <summary>Waiting for a service the test started in-process or as a child to load its model.</summary>
internal static class Readiness
{
    /// <summary>Polls <c>/ready</c> on <paramref name="client"/>'s base address until it answers 200.</summary>
    public static async Task WaitAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using (var ready = await client.GetAsync("/ready", TestContext.Current.CancellationToken))
                if (ready.StatusCode == HttpStatusCode.OK) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{client.BaseAddress} was not ready within {timeout.TotalSeconds} s.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
