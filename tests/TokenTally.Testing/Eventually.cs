using System.Diagnostics;

namespace TokenTally.Testing;

/// <summary>Bounded polling in real time, for state another process or thread reaches when it gets to it.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> (default 50 ms) until it holds; fails after <paramref name="within"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> failure, TimeSpan? interval = null)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > within)
            {
                Assert.Fail($"Not reached within {within.TotalSeconds:0.#} s: {failure()}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan within, Func<string> failure, TimeSpan? interval = null) =>
        HoldsAsync(() => Task.FromResult(condition()), within, failure, interval);
}
