using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Application.Pipeline;
using TokenTally.Testing;

namespace TokenTally.Local.Tests.Scheduling;

/// <summary>Local mode's scheduler on a fake clock: a run at start-up for the last closed hour, then one at five past every hour.</summary>
public sealed class HourlyRunTimerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Two minutes before the hour: the start-up run is for 09:00, the next firing (11:05) for 10:00.
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 58, 0, TimeSpan.Zero);

    private readonly TimerRecordingTimeProvider _time = new(Start);
    private readonly TemporaryFolder _folder = new();

    [Fact]
    public async Task ARunForTheLastClosedHourStartsAtStartUpAndTheNextAtFivePastTheHour()
    {
        await using var app = await StartAsync();
        var fivePast = new DateTimeOffset(2026, 11, 20, 11, 5, 0, TimeSpan.Zero);

        var startUp = await WaitForRunAsync(app.DurableClient, "hourly-2026112009");
        await Eventually.HoldsAsync(() => _time.DueTimes.Contains(fivePast), Patience, () => $"The timer waits for {string.Join(", ", _time.DueTimes.Order())}, not {fivePast:O}.");
        _time.Advance(fivePast - Start - TimeSpan.FromSeconds(1));

        // A run started too early would show within milliseconds; it gets half a second.
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);

        Assert.Null(await app.DurableClient.GetInstanceAsync("hourly-2026112010", TestContext.Current.CancellationToken));

        _time.Advance(TimeSpan.FromSeconds(1));
        var next = await WaitForRunAsync(app.DurableClient, "hourly-2026112010");

        Assert.Equal((new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), RunTrigger.Timer), (startUp.Hour, startUp.Trigger));
        Assert.Equal((new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), RunTrigger.Timer), (next.Hour, next.Trigger));
    }

    [Fact]
    public async Task WithTheSchedulerOffNothingStarts()
    {
        await using var app = await StartAsync("--TokenTally:Local:RunScheduler=false");

        _time.Advance(TimeSpan.FromHours(2));

        // A start-up run, or one at five past, would show within milliseconds; they get half a second.
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);

        await foreach (var instance in app.DurableClient.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = "hourly-" }))
        {
            Assert.Fail($"{instance.InstanceId} started with the scheduler off.");
        }
    }

    private Task<LocalModeApp> StartAsync(string scheduler = "--TokenTally:Local:RunScheduler=true") =>
        LocalModeApp.StartAsync(_folder.Path, [scheduler], services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)));

    /// <summary>Waits (in real time: the fake clock only drives the app) until the run exists; answers its input.</summary>
    private static async Task<HourRunInput> WaitForRunAsync(DurableTaskClient client, string id)
    {
        OrchestrationMetadata? run = null;
        await Eventually.HoldsAsync(async () => (run = await client.GetInstanceAsync(id, getInputsAndOutputs: true, TestContext.Current.CancellationToken)) is not null, Patience, () => $"No run {id}.");
        return run!.ReadInputAs<HourRunInput>()!;
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A fake clock that also tells when each timer created on it is due, so a test knows what the app waits for.</summary>
    private sealed class TimerRecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public ConcurrentBag<DateTimeOffset> DueTimes { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                DueTimes.Add(GetUtcNow() + dueTime);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
