using Microsoft.DurableTask;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Pipeline;

/// <summary>
/// A backfill: an hour run (<see cref="HourRun"/>, trigger backfill) per hour of [from, to), at most the run's parallelism at
/// a time, continuing as new every day of hours so that its history stays small. Its custom status is its progress.
/// </summary>
public static class Backfill
{
    public const string Name = "Backfill";

    private const int HoursPerGeneration = 24;

    public static string NewInstanceId(DateTimeOffset from, DateTimeOffset to) =>
        FormattableString.Invariant($"backfill-{from.UtcDateTime:yyyyMMddHH}-{to.UtcDateTime:yyyyMMddHH}-{Guid.NewGuid():N}")[..46];

    /// <summary>The hour run of <paramref name="hour"/> within the backfill <paramref name="backfillId"/>.</summary>
    public static string HourInstanceId(string backfillId, DateTimeOffset hour) =>
        FormattableString.Invariant($"{backfillId}-h{hour.UtcDateTime:yyyyMMddHH}");

    public static async Task<BackfillReport> RunAsync(TaskOrchestrationContext context, BackfillInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var hours = (int)(input.To - input.From).TotalHours;
        var succeeded = input.Succeeded;
        var failed = new List<string>(input.FailedHours ?? []);
        var next = input.Next ?? input.From;
        var end = next.AddHours(HoursPerGeneration) < input.To ? next.AddHours(HoursPerGeneration) : input.To;
        var running = new List<(DateTimeOffset Hour, Task<HourRunReport> Run)>();

        async Task HarvestOneAsync()
        {
            var done = await Task.WhenAny(running.Select(r => r.Run));
            var index = running.FindIndex(r => r.Run == done);
            var hour = running[index].Hour;
            running.RemoveAt(index);
            try
            {
                await done;
                succeeded++;
            }
            catch (TaskFailedException)
            {
                failed.Add(TimeBuckets.HourKey(hour));
            }

            context.SetCustomStatus(new BackfillReport(input.From, input.To, input.Reprice, hours, succeeded, failed.ToList()));
        }

        for (var hour = next; hour < end; hour = hour.AddHours(1))
        {
            if (running.Count >= Math.Max(1, input.Settings.MaxParallelism))
            {
                await HarvestOneAsync();
            }

            var run = context.CallSubOrchestratorAsync<HourRunReport>(
                HourRun.Name, new HourRunInput(hour, RunTrigger.Backfill, input.Reprice, input.Settings, ScanAnomalies: hour.UtcDateTime.Hour % 6 == 5 || hour == input.To.AddHours(-1)), new SubOrchestrationOptions { InstanceId = HourInstanceId(context.InstanceId, hour) });
            running.Add((hour, run));
        }

        while (running.Count > 0)
        {
            await HarvestOneAsync();
        }

        if (end < input.To)
        {
            context.ContinueAsNew(input with { Next = end, Succeeded = succeeded, FailedHours = failed });
            return new BackfillReport(input.From, input.To, input.Reprice, hours, succeeded, failed);
        }

        var report = new BackfillReport(input.From, input.To, input.Reprice, hours, succeeded, failed);
        context.SetCustomStatus(report);
        return failed.Count == 0 ? report : throw new RunFailedException($"Backfill failed for {failed.Count} of {hours} hours: {string.Join(", ", failed.Take(10))}.");
    }
}
