using Microsoft.Extensions.Time.Testing;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>
/// A fake clock that jumps ahead by every wait as soon as it is asked for, so retries with real backoff delays run at
/// once, and the waits are recorded. <see cref="BeforeWait"/> lets a test act between a failure and the retry.
/// </summary>
internal sealed class SkippingClock(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(start);
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _waits = [];

    public Func<TimeSpan, Task>? BeforeWait { get; set; }

    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_gate)
            {
                return [.. _waits];
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    /// <summary>Moves the clock to <paramref name="now"/> (never back).</summary>
    public void SetUtcNow(DateTimeOffset now) => _fake.SetUtcNow(now);

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _fake.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                _waits.Add(dueTime);
            }

            _ = Task.Run(async () =>
            {
                if (BeforeWait is { } before)
                {
                    await before(dueTime);
                }

                _fake.Advance(dueTime);
            });
        }

        return timer;
    }
}
