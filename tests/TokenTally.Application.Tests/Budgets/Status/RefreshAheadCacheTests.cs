using Microsoft.Extensions.Time.Testing;
using TokenTally.Application.Budgets.Status;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Budgets.Status;

/// <summary>Readers share the first computation, then read memory: a stale answer is served while one refresh replaces it.</summary>
public sealed class RefreshAheadCacheTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<Exception> _failures = [];

    private RefreshAheadCache<string> Cache(int capacity = 100) => new(_clock, TimeSpan.FromSeconds(10), capacity, (_, e) => _failures.Add(e));

    [Fact]
    public async Task ConcurrentFirstReadersShareOneComputation()
    {
        var cache = Cache();
        var computed = 0;
        var release = new TaskCompletionSource<string>();

        var readers = Enumerable.Range(0, 20).Select(_ => cache.GetAsync("k", _ =>
        {
            Interlocked.Increment(ref computed);
            return release.Task;
        })).ToList();
        release.SetResult("answer");

        Assert.All(await Task.WhenAll(readers), r => Assert.Equal("answer", r.Value));
        Assert.Equal(1, computed);
    }

    [Fact]
    public async Task AStaleAnswerIsServedWhileOneRefreshReplacesIt()
    {
        var cache = Cache();
        var version = 0;
        var refresh = new TaskCompletionSource();
        Task<string> Compute(CancellationToken _) => ++version == 1 ? Task.FromResult("v1") : refresh.Task.ContinueWith(_ => "v" + version, TaskScheduler.Default);
        await cache.GetAsync("k", Compute);

        _clock.Advance(TimeSpan.FromSeconds(11));
        var stale = await cache.GetAsync("k", Compute);
        var stillStale = await cache.GetAsync("k", Compute);
        refresh.SetResult();

        Assert.Equal(("v1", "v1"), (stale.Value, stillStale.Value));
        await Eventually.HoldsAsync(async () => (await cache.GetAsync("k", Compute)).Value == "v2", TimeSpan.FromSeconds(5), () => "The refresh never replaced the stale answer.");
        Assert.Equal(2, version);
    }

    [Fact]
    public async Task AFailedRefreshKeepsTheOldAnswerUntilTheStaleLimitThenReadersSeeTheError()
    {
        var cache = Cache();
        var fail = false;
        Task<string> Compute(CancellationToken _) => fail ? Task.FromException<string>(new InvalidOperationException("store down")) : Task.FromResult("ok");
        await cache.GetAsync("k", Compute);
        fail = true;

        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("ok", (await cache.GetAsync("k", Compute)).Value);
        await Eventually.HoldsAsync(() => _failures.Count == 1, TimeSpan.FromSeconds(5), () => "The failed refresh was not reported.");
        Assert.Equal("ok", (await cache.GetAsync("k", Compute)).Value);

        _clock.Advance(TimeSpan.FromSeconds(10 * RefreshAheadCache<string>.StaleLimit));
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("k", Compute));
        fail = false;
        Assert.Equal("ok", (await cache.GetAsync("k", Compute)).Value);
    }

    [Fact]
    public async Task PastItsCapacityTheLeastRecentlyReadKeysGo()
    {
        var cache = Cache(capacity: 8);
        for (var i = 0; i < 8; i++)
        {
            await cache.GetAsync("k" + i, _ => Task.FromResult("v"));
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        await cache.GetAsync("k0", _ => Task.FromResult("v"));
        var computed = false;
        await cache.GetAsync("k8", _ => Task.FromResult("v"));
        await cache.GetAsync("k0", _ =>
        {
            computed = true;
            return Task.FromResult("v");
        });

        Assert.True(cache.Count <= 8);
        Assert.False(computed);
    }
}
