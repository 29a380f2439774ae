using Microsoft.DurableTask;
using TokenTally.Application.Alerts;

namespace TokenTally.Application.Pipeline;

/// <summary>
/// The pipeline's orchestrations and activities for a Durable Task worker (local mode, tests). The Functions app declares
/// the same names as [Function]s over the same code.
/// </summary>
public static class PipelineTasks
{
    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestratorFunc<HourRunInput, HourRunReport>(HourRun.Name, HourRun.RunAsync);
        registry.AddOrchestratorFunc<BackfillInput, BackfillReport>(Backfill.Name, Backfill.RunAsync);
        Activity<PlanRequest, RunPlan>(registry, PipelineActivities.Plan, (a, input) => a.PlanAsync(input, CancellationToken.None));
        Activity<TenantHour, int>(registry, PipelineActivities.Reprice, (a, input) => a.RepriceAsync(input, CancellationToken.None));
        Activity<TenantHour, long>(registry, PipelineActivities.RollUp, (a, input) => a.RollUpAsync(input, CancellationToken.None));
        Activity<TenantHourRun, int>(registry, PipelineActivities.Export, (a, input) => a.ExportAsync(input, CancellationToken.None));
        Activity<TenantHour, int>(registry, PipelineActivities.Archive, (a, input) => a.ArchiveAsync(input, CancellationToken.None));
        Activity<TenantHours, int>(registry, PipelineActivities.ScanAnomalies, (a, input) => a.ScanAnomaliesAsync(input, CancellationToken.None));
        Activity<TenantHour, int>(registry, PipelineActivities.UpdateForecasts, (a, input) => a.UpdateForecastsAsync(input, CancellationToken.None));
        Activity<TenantHours, int>(registry, PipelineActivities.CheckBudgets, (a, input) => a.CheckBudgetsAsync(input, CancellationToken.None));
        Activity<TenantHours, int>(registry, PipelineActivities.CheckRules, (a, input) => a.CheckRulesAsync(input, CancellationToken.None));
        Activity<DispatchRequest, TenantDispatch>(registry, PipelineActivities.DispatchAlerts, (a, input) => a.DispatchAlertsAsync(input, CancellationToken.None));
        Activity<DateTimeOffset, int>(registry, PipelineActivities.PurgeExpired, (a, input) => a.PurgeExpiredAsync(input, CancellationToken.None));
        Activity<HourRunEnd, double>(registry, PipelineActivities.End, (a, input) => a.EndAsync(input, CancellationToken.None));
    }

    private static void Activity<TInput, TOutput>(DurableTaskRegistry registry, string name, Func<PipelineActivities, TInput, Task<TOutput>> run) =>
        registry.AddActivity(name, services => new ServiceActivity<TInput, TOutput>(services.GetRequiredService<PipelineActivities>(), run));

    private sealed class ServiceActivity<TInput, TOutput>(PipelineActivities activities, Func<PipelineActivities, TInput, Task<TOutput>> run) : TaskActivity<TInput, TOutput>
    {
        public override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) => run(activities, input);
    }
}
