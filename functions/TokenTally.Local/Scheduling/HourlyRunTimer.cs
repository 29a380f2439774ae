using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using NCrontab;
using TokenTally.Application.Pipeline;

namespace TokenTally.Local.Scheduling;

/// <summary>
/// Local mode's stand-in for the Functions timer: starts the hour run on the same NCRONTAB schedule
/// (<see cref="HourRunStarter.Schedule"/>, read by the parser the Functions host uses), and once at start-up, so that hours
/// marked while the app was stopped, or left by a run it interrupted, are rolled up without waiting for five past.
/// </summary>
internal sealed partial class HourlyRunTimer(
    DurableTaskClient client,
    HourRunStarter starter,
    IOptions<LocalOptions> options,
    TimeProvider time,
    ILogger<HourlyRunTimer> logger) : BackgroundService
{
    public static CrontabSchedule Schedule { get; } = CrontabSchedule.Parse(HourRunStarter.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunScheduler)
        {
            return;
        }

        await StartRunAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = new DateTimeOffset(Schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await StartRunAsync(stoppingToken);
        }
    }

    private async Task StartRunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await starter.StartLastClosedHourAsync(client, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next firing tries again; the hours it would have rolled up keep their marks.
            LogStartFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The hourly run could not be started")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
