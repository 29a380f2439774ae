using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Pipeline;

/// <summary>What starting an hour's run came to.</summary>
public enum StartOutcome
{
    Started,

    /// <summary>The hour's run had failed or been terminated: it was started again under the same id.</summary>
    Restarted,

    AlreadyRunning,

    AlreadyCompleted,
}

/// <summary>
/// Starts the timer's run of an hour under its deterministic id (<c>hourly-yyyyMMddHH</c>): a second start of a running or
/// completed hour does nothing, a failed one is started again rather than duplicated. The timer function and local mode's
/// scheduler both start runs through it.
/// </summary>
public sealed partial class HourRunStarter(IOptions<PipelineOptions> options, TimeProvider time, ILogger<HourRunStarter> logger)
{
    /// <summary>The NCRONTAB schedule of the hourly run (seconds first): five past every hour.</summary>
    public const string Schedule = "0 5 * * * *";

    /// <summary>The hour a run started at <paramref name="now"/> is for: the last hour that has closed.</summary>
    public static DateTimeOffset LastClosedHour(DateTimeOffset now) => TimeBuckets.HourStart(now).AddHours(-1);

    /// <summary>Starts the run of the last closed hour.</summary>
    public Task<StartOutcome> StartLastClosedHourAsync(DurableTaskClient client, CancellationToken cancellationToken) =>
        StartAsync(client, LastClosedHour(time.GetUtcNow()), cancellationToken);

    public async Task<StartOutcome> StartAsync(DurableTaskClient client, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var id = HourRun.TimerInstanceId(hour);
        var existing = await client.GetInstanceAsync(id, cancellationToken);
        if (Settled(existing) is { } settled)
        {
            return settled;
        }

        var input = new HourRunInput(TimeBuckets.HourStart(hour), RunTrigger.Timer, Reprice: false, options.Value.ToRunSettings());
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(HourRun.Name, input, new StartOrchestrationOptions(id), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Another starter won the race for this id; anything else is a real failure.
            if (Settled(await client.GetInstanceAsync(id, cancellationToken)) is { } raced)
            {
                return raced;
            }

            throw;
        }

        var outcome = existing is null ? StartOutcome.Started : StartOutcome.Restarted;
        LogStarted(logger, id, outcome);
        return outcome;
    }

    private static StartOutcome? Settled(OrchestrationMetadata? instance) => instance?.RuntimeStatus switch
    {
        null or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated => null,
        OrchestrationRuntimeStatus.Completed => StartOutcome.AlreadyCompleted,
        _ => StartOutcome.AlreadyRunning,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Hour run {InstanceId}: {Outcome}")]
    private static partial void LogStarted(ILogger logger, string instanceId, StartOutcome outcome);
}
