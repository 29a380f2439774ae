using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using TokenTally.Application.Alerts;
using TokenTally.Application.Pipeline;

namespace TokenTally.Functions.Pipeline;

/// <summary>The pipeline's orchestrations and activities as functions: the same code and names local mode registers (PipelineTasks).</summary>
public sealed class PipelineFunctions(PipelineActivities activities)
{
    [Function(HourRun.Name)]
    public static Task<HourRunReport> HourRunAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        HourRun.RunAsync(context, context.GetInput<HourRunInput>()!);

    [Function(Backfill.Name)]
    public static Task<BackfillReport> BackfillAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        Backfill.RunAsync(context, context.GetInput<BackfillInput>()!);

    [Function(PipelineActivities.Plan)]
    public Task<RunPlan> PlanAsync([ActivityTrigger] PlanRequest request, FunctionContext context) => activities.PlanAsync(request, context.CancellationToken);

    [Function(PipelineActivities.Reprice)]
    public Task<int> RepriceAsync([ActivityTrigger] TenantHour item, FunctionContext context) => activities.RepriceAsync(item, context.CancellationToken);

    [Function(PipelineActivities.RollUp)]
    public Task<long> RollUpAsync([ActivityTrigger] TenantHour item, FunctionContext context) => activities.RollUpAsync(item, context.CancellationToken);

    [Function(PipelineActivities.Export)]
    public Task<int> ExportAsync([ActivityTrigger] TenantHourRun item, FunctionContext context) => activities.ExportAsync(item, context.CancellationToken);

    [Function(PipelineActivities.Archive)]
    public Task<int> ArchiveAsync([ActivityTrigger] TenantHour item, FunctionContext context) => activities.ArchiveAsync(item, context.CancellationToken);

    [Function(PipelineActivities.ScanAnomalies)]
    public Task<int> ScanAnomaliesAsync([ActivityTrigger] TenantHours work, FunctionContext context) => activities.ScanAnomaliesAsync(work, context.CancellationToken);

    [Function(PipelineActivities.UpdateForecasts)]
    public Task<int> UpdateForecastsAsync([ActivityTrigger] TenantHour item, FunctionContext context) => activities.UpdateForecastsAsync(item, context.CancellationToken);

    [Function(PipelineActivities.CheckBudgets)]
    public Task<int> CheckBudgetsAsync([ActivityTrigger] TenantHours work, FunctionContext context) => activities.CheckBudgetsAsync(work, context.CancellationToken);

    [Function(PipelineActivities.CheckRules)]
    public Task<int> CheckRulesAsync([ActivityTrigger] TenantHours work, FunctionContext context) => activities.CheckRulesAsync(work, context.CancellationToken);

    [Function(PipelineActivities.DispatchAlerts)]
    public Task<TenantDispatch> DispatchAlertsAsync([ActivityTrigger] DispatchRequest request, FunctionContext context) => activities.DispatchAlertsAsync(request, context.CancellationToken);

    [Function(PipelineActivities.PurgeExpired)]
    public Task<int> PurgeExpiredAsync([ActivityTrigger] DateTimeOffset hour, FunctionContext context) => activities.PurgeExpiredAsync(hour, context.CancellationToken);

    [Function(PipelineActivities.End)]
    public Task<double> EndAsync([ActivityTrigger] HourRunEnd end, FunctionContext context) => activities.EndAsync(end, context.CancellationToken);
}
