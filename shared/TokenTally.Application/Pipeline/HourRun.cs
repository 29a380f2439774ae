using Microsoft.DurableTask;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Pipeline;

/// <summary>
/// The orchestration of one hour run: plan the tenant-hours, then reprice (backfills that ask for it), roll up and archive
/// them (and export the rollups to the Logs Ingestion API when configured), fanned out with bounded parallelism; then, per tenant rolled up, scan its series for anomalies (every timer run; a backfill's every sixth hour and its last), update its forecasts (as of the run's hour), check its budgets and alert rules at the hours recomputed (oldest
/// first) and dispatch the alert notifications waiting; then apply retention (timer runs). Every effect is an activity with the run's
/// retry policy, and every activity is idempotent; the run's record is its custom status while it runs and its output when
/// done. A work item that fails for good fails the run after the others finished; its changed mark stays for the next run.
/// </summary>
public static class HourRun
{
    public const string Name = "HourRun";

    /// <summary>The timer's run of <paramref name="hour"/>: one per hour, whoever starts it.</summary>
    public static string TimerInstanceId(DateTimeOffset hour) => "hourly-" + hour.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<HourRunReport> RunAsync(TaskOrchestrationContext context, HourRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var started = context.CurrentUtcDateTime;
        var retry = RetryOptions(input.Settings);
        HourRunReport report;
        try
        {
            report = await RunStepsAsync(context, input, retry);
        }
        catch (TaskFailedException)
        {
            await context.CallActivityAsync<double>(PipelineActivities.End, new HourRunEnd(input.Trigger, started, Succeeded: false), retry);
            throw;
        }

        var failed = report.Steps.Where(s => s.Failed > 0).ToList();

        // Measured by an activity, not here: orchestrator code replays, and would measure each replay again.
        await context.CallActivityAsync<double>(PipelineActivities.End, new HourRunEnd(input.Trigger, started, failed.Count == 0), retry);
        return failed.Count == 0
            ? report
            : throw new RunFailedException($"Run of {TimeBuckets.HourKey(input.Hour)} failed: {string.Join("; ", failed.Select(s => $"{s.Name} {s.Failed} of {s.Items} failed ({string.Join(", ", s.Errors)})"))}");
    }

    private static async Task<HourRunReport> RunStepsAsync(TaskOrchestrationContext context, HourRunInput input, TaskOptions retry)
    {
        var settings = input.Settings;
        var plan = await context.CallActivityAsync<RunPlan>(PipelineActivities.Plan, new PlanRequest(input.Hour, input.Trigger, settings.MaxChangedHours, settings.FallbackHours), retry);
        var record = new RunRecord(context, input, plan);

        IReadOnlyList<TenantHour> work = plan.Work;
        if (input.Reprice)
        {
            work = await record.FanOutAsync("reprice", work, settings.MaxParallelism, item => context.CallActivityAsync<int>(PipelineActivities.Reprice, item, retry));
        }

        var rolledUp = await record.FanOutAsync("rollup", work, settings.MaxParallelism, async item =>
        {
            var calls = await context.CallActivityAsync<long>(PipelineActivities.RollUp, item, retry);
            record.Calls += calls;
            return calls;
        });
        if (settings.ExportRollups)
        {
            // Tagged with this run's id: the table's queries keep the latest run's rows of each tenant-hour.
            await record.FanOutAsync("export", rolledUp, settings.MaxParallelism, item => context.CallActivityAsync<int>(PipelineActivities.Export, new TenantHourRun(item.Tenant, item.Hour, context.InstanceId), retry));
        }

        await record.FanOutAsync("archive", rolledUp, settings.MaxParallelism, item => context.CallActivityAsync<int>(PipelineActivities.Archive, item with { MarkETag = null }, retry));

        // Per tenant, the hours it recomputed, oldest first: a rerun or backfill of old hours re-checks the periods holding them.
        var hours = rolledUp.GroupBy(item => item.Tenant, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<DateTimeOffset>)g.Select(item => item.Hour).Distinct().Order().ToList(), StringComparer.Ordinal);
        var tenants = hours.Select(h => new TenantHour(h.Key, input.Hour)).ToList();

        // Before the rules: an anomaly_score rule reads the anomalies this step stores. A backfill hour that does not scan
        // still lists the step, with no items.
        await record.FanOutAsync("anomalies", input.ScanAnomalies ? tenants : [], settings.MaxParallelism, item =>
            context.CallActivityAsync<int>(PipelineActivities.ScanAnomalies, new TenantHours(item.Tenant, hours[item.Tenant]), retry));

        // Before the budgets, whose forecast rule reads the projection made as of this hour.
        await record.FanOutAsync("forecasts", tenants, settings.MaxParallelism, item => context.CallActivityAsync<int>(PipelineActivities.UpdateForecasts, item, retry));
        await record.FanOutAsync("budgets", tenants, settings.MaxParallelism, async item =>
        {
            var transitioned = await context.CallActivityAsync<int>(PipelineActivities.CheckBudgets, new TenantHours(item.Tenant, hours[item.Tenant]), retry);
            record.AlertsTransitioned += transitioned;
            return transitioned;
        });

        await record.FanOutAsync("rules", tenants, settings.MaxParallelism, async item =>
        {
            var transitioned = await context.CallActivityAsync<int>(PipelineActivities.CheckRules, new TenantHours(item.Tenant, hours[item.Tenant]), retry);
            record.AlertsTransitioned += transitioned;
            return transitioned;
        });

        // Every tenant rolled up, checked or not: a notification left over from an earlier run is sent all the same.
        await record.FanOutAsync("alerts", tenants, settings.MaxParallelism, async item =>
        {
            var dispatch = await context.CallActivityAsync<TenantDispatch>(PipelineActivities.DispatchAlerts, new DispatchRequest(item.Tenant, context.InstanceId), retry);
            record.Deliveries.AddRange(dispatch.Deliveries);
            return dispatch.Notifications;
        });
        if (input.Trigger == RunTrigger.Timer)
        {
            await record.FanOutAsync("retention", [new TenantHour("*", input.Hour)], 1, _ => context.CallActivityAsync<int>(PipelineActivities.PurgeExpired, input.Hour, retry));
        }

        var report = record.Report();
        context.SetCustomStatus(report);
        return report;
    }

    internal static TaskOptions RetryOptions(RunSettings settings) =>
        new(new TaskRetryOptions(new RetryPolicy(settings.ActivityAttempts, settings.FirstRetryInterval, backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1))));

    /// <summary>The run's steps as they progress; published as the custom status after every batch of work.</summary>
    private sealed class RunRecord(TaskOrchestrationContext context, HourRunInput input, RunPlan plan)
    {
        private readonly List<StepReport> _steps = [];

        public long Calls { get; set; }

        public int AlertsTransitioned { get; set; }

        public List<DeliveryRecord> Deliveries { get; } = [];

        /// <summary>Runs <paramref name="call"/> for every item, <paramref name="parallelism"/> at a time; returns the items that succeeded.</summary>
        public async Task<IReadOnlyList<TenantHour>> FanOutAsync<T>(string step, IReadOnlyList<TenantHour> items, int parallelism, Func<TenantHour, Task<T>> call)
        {
            var succeeded = new List<TenantHour>(items.Count);
            var errors = new List<string>();
            Publish(new StepReport(step, "running", items.Count, 0, 0, []));
            foreach (var batch in items.Chunk(Math.Max(1, parallelism)))
            {
                var tasks = batch.Select(item => (Item: item, Task: call(item))).ToList();
                foreach (var (item, task) in tasks)
                {
                    try
                    {
                        await task;
                        succeeded.Add(item);
                    }
                    catch (TaskFailedException e)
                    {
                        errors.Add($"{item.Tenant}@{TimeBuckets.HourKey(item.Hour)}: {e.FailureDetails.ErrorMessage}");
                    }
                }

                Publish(new StepReport(step, "running", items.Count, succeeded.Count, errors.Count, errors.Take(5).ToList()));
            }

            Publish(new StepReport(step, errors.Count == 0 ? "succeeded" : "failed", items.Count, succeeded.Count, errors.Count, errors.Take(5).ToList()));
            return succeeded;
        }

        public HourRunReport Report() => new(
            input.Hour, input.Trigger, plan.ChangedPending, plan.ChangedTaken, plan.ChangedPending - plan.ChangedTaken - plan.ChangedExpired, plan.ChangedExpired, Calls, _steps.ToList(), AlertsTransitioned,
            Deliveries.OrderBy(d => d.Outcome == DeliveryOutcome.Delivered).Take(HourRunReport.MaxDeliveriesListed).ToList(), Deliveries.Count, Deliveries.Count(d => d.Outcome != DeliveryOutcome.Delivered));

        private void Publish(StepReport step)
        {
            var index = _steps.FindIndex(s => s.Name == step.Name);
            if (index < 0)
            {
                _steps.Add(step);
            }
            else
            {
                _steps[index] = step;
            }

            context.SetCustomStatus(Report());
        }
    }
}

/// <summary>A run in which some work failed for good; its report (the custom status) says which.</summary>
public sealed class RunFailedException(string message) : Exception(message);
