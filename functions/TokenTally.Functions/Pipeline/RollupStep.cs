using Microsoft.Extensions.Options;
using TokenTally.Core.Calls;
using TokenTally.Core.Pipeline;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Projects;

namespace TokenTally.Functions.Pipeline;

/// <summary>
/// Recomputes every tenant's rollups from its stored call records, for the run's hour and the
/// late-data window before it, so a call that arrives late is counted by the next run.
/// </summary>
public sealed partial class RollupStep(
    ProjectStore projects,
    CallRecordStore calls,
    RollupStore rollups,
    IOptions<PipelineOptions> options,
    ILogger<RollupStep> logger) : IPipelineStep
{
    public string Name => PipelineSteps.Rollup;

    public async Task RunAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        foreach (var tenant in await projects.ListTenantsAsync(cancellationToken))
        {
            for (var late = options.Value.LateDataHours; late >= 0; late--)
            {
                await RollUpAsync(tenant, hour.AddHours(-late), cancellationToken);
            }
        }
    }

    public async Task<long> RollUpAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var rollup = new HourRollup(options.Value.TopUsersPerHour);
        await foreach (var call in calls.ReadHourAsync(tenant, hour, cancellationToken))
        {
            rollup.Add(ToFact(call));
        }

        await rollups.ReplaceHourAsync(tenant, hour, rollup.Rows(), cancellationToken);
        LogRolledUp(logger, tenant, hour, rollup.Calls);
        return rollup.Calls;
    }

    public static CallFact ToFact(StoredCall call)
    {
        var e = call.Event;
        var values = new string[CallFact.DimensionCount];
        values[(int)Dimension.Project] = e.Project;
        values[(int)Dimension.Service] = e.Service ?? Cube.None;
        values[(int)Dimension.Release] = e.Release ?? Cube.None;
        values[(int)Dimension.Environment] = e.Environment ?? Cube.None;
        values[(int)Dimension.Provider] = call.Pricing.Provider;
        values[(int)Dimension.Model] = call.Pricing.Model;
        values[(int)Dimension.Operation] = e.Operation.ToString().ToLowerInvariant();
        values[(int)Dimension.Department] = e.Department ?? Cube.None;
        values[(int)Dimension.User] = e.UserId ?? Cube.None;
        values[(int)Dimension.Experiment] = e.Experiment ?? Cube.None;
        values[(int)Dimension.Variant] = e.Variant ?? Cube.None;
        values[(int)Dimension.Status] = e.Status == CallStatus.Ok ? "ok" : "error";
        var usage = e.Usage;
        return new CallFact(values, e.Status == CallStatus.Error, usage.Input, usage.CachedInput, usage.CacheWrite, usage.Output, usage.Reasoning,
            call.Pricing.Cost?.Total ?? 0m, call.Pricing.Unpriced, e.LatencyMs, e.TimeToFirstTokenMs);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rolled up {Calls} calls of tenant {Tenant} for {Hour:O}")]
    private static partial void LogRolledUp(ILogger logger, string tenant, DateTimeOffset hour, long calls);
}
