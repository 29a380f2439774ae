using System.Collections.Concurrent;

namespace TokenTally.Application.Budgets.Status;

/// <summary>
/// A bounded cache of computed answers that never makes a reader wait for a refresh: an answer older than the maximum age
/// is still returned while one background computation replaces it. Only the first reader of a key waits, and concurrent
/// first readers share one computation. A refresh that fails keeps the old answer until it is <see cref="StaleLimit"/>
/// maximum ages old; after that readers wait for (and see the error of) a new computation.
/// </summary>
/// <param name="time">The clock ages are measured by.</param>
/// <param name="maxAge">How old an answer may be before a read starts its refresh.</param>
/// <param name="capacity">How many keys are kept; past it the least recently read are dropped.</param>
/// <param name="refreshFailed">Told of a background refresh that failed (the old answer is served meanwhile).</param>
public sealed class RefreshAheadCache<TValue>(TimeProvider time, TimeSpan maxAge, int capacity, Action<string, Exception> refreshFailed)
    where TValue : class
{
    /// <summary>How many maximum ages an answer may be served while its refreshes fail.</summary>
    public const int StaleLimit = 6;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    /// <summary>The answer for <paramref name="key"/>, with the time it was computed.</summary>
    public async Task<(TValue Value, DateTimeOffset ComputedAt)> GetAsync(string key, Func<CancellationToken, Task<TValue>> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        var now = time.GetUtcNow();
        var entry = _entries.GetOrAdd(key, static (_, now) => new Entry(now), now);
        entry.LastRead = now;
        if (_entries.Count > capacity)
        {
            Evict();
        }

        var (task, computedAt) = entry.Start(compute, now);
        if (!task.IsCompleted)
        {
            return await AwaitFirstAsync(key, entry, task);
        }

        if (task.IsCompletedSuccessfully)
        {
            var age = now - computedAt;
            if (age >= maxAge)
            {
                if (age >= maxAge * StaleLimit)
                {
                    return await AwaitFirstAsync(key, entry, entry.Restart(compute, now));
                }

                entry.RefreshInBackground(compute, time, e => refreshFailed(key, e));
            }

            return (await task, computedAt);
        }

        // The last computation failed: start again, this reader waiting for it.
        return await AwaitFirstAsync(key, entry, entry.Restart(compute, now));
    }

    private async Task<(TValue, DateTimeOffset)> AwaitFirstAsync(string key, Entry entry, Task<TValue> task)
    {
        try
        {
            return (await task, entry.Current.ComputedAt);
        }
        catch
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            throw;
        }
    }

    /// <summary>Drops the least recently read quarter of the entries (at least the excess).</summary>
    private void Evict()
    {
        var excess = _entries.Count - capacity;
        var drop = Math.Max(excess, capacity / 4);
        foreach (var (key, _) in _entries.OrderBy(e => e.Value.LastRead).Take(drop).ToList())
        {
            _entries.TryRemove(key, out _);
        }
    }

    private sealed class Entry(DateTimeOffset now)
    {
        private readonly Lock _gate = new();
        private int _refreshing;

        public (Task<TValue> Task, DateTimeOffset ComputedAt) Current { get; private set; }

        public DateTimeOffset LastRead { get; set; } = now;

        /// <summary>The current computation, started by the first reader.</summary>
        public (Task<TValue> Task, DateTimeOffset ComputedAt) Start(Func<CancellationToken, Task<TValue>> compute, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (Current.Task is null)
                {
                    Current = (compute(CancellationToken.None), now);
                }

                return Current;
            }
        }

        public Task<TValue> Restart(Func<CancellationToken, Task<TValue>> compute, DateTimeOffset now)
        {
            lock (_gate)
            {
                // Readers that found the same stale or failed answer share one new computation.
                if (Current.Task.IsCompleted)
                {
                    Current = (compute(CancellationToken.None), now);
                }

                return Current.Task;
            }
        }

        public void RefreshInBackground(Func<CancellationToken, Task<TValue>> compute, TimeProvider time, Action<Exception> failed)
        {
            if (Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    var startedAt = time.GetUtcNow();
                    var value = await compute(CancellationToken.None);
                    lock (_gate)
                    {
                        Current = (Task.FromResult(value), startedAt);
                    }
                }
                catch (Exception e)
                {
                    // The old answer stays until the stale limit; the next reader after it sees the error.
                    failed(e);
                }
                finally
                {
                    Volatile.Write(ref _refreshing, 0);
                }
            });
        }
    }
}
