using Microsoft.Extensions.Options;
using TokenTally.Application.Calls;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Rollups;

/// <summary>TokenTally:Rollups — how rollups are cut.</summary>
public sealed class RollupOptions
{
    public const string Section = "TokenTally:Rollups";

    /// <summary>Users kept per tenant and hour in the user cube; the rest fold into "(other)", so totals stay exact.</summary>
    public int TopUsersPerHour { get; set; } = 500;
}

/// <summary>Recomputes one tenant-hour's rollups from its stored calls: an overwrite, so any rerun gives the same rows.</summary>
public sealed partial class HourRollupService(CallRecordStore calls, RollupStore rollups, IOptions<RollupOptions> options, TokenTallyMetrics metrics, ILogger<HourRollupService> logger)
{
    /// <summary>Rolls up the hour; returns how many calls it holds.</summary>
    public async Task<long> RollUpAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var rollup = new HourRollup(options.Value.TopUsersPerHour);
        await foreach (var call in calls.ReadHourAsync(tenant, hour, cancellationToken))
        {
            rollup.Add(CallFact.Of(call));
        }

        var rows = rollup.Rows();
        await rollups.ReplaceHourAsync(tenant, hour, rows, cancellationToken);
        metrics.HourRolledUp(tenant, rows.Where(r => r.Cube == Cube.Total).Sum(r => r.CostUsd));
        LogRolledUp(logger, tenant, hour, rollup.Calls);
        return rollup.Calls;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rolled up {Calls} calls of tenant {Tenant} for {Hour:O}")]
    private static partial void LogRolledUp(ILogger logger, string tenant, DateTimeOffset hour, long calls);
}
