using System.Security.Cryptography;
using System.Text;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Export;

/// <summary>
/// One exported rollup row: a row of the custom table TokenTallyRollups_CL, whose columns (infra-bicep) a test derives
/// from these properties. Queries dedupe with the latest run per tenant-hour (<see cref="RunId"/>, <see cref="TimeGenerated"/>)
/// and <see cref="RowKey"/> within it, because the Logs Ingestion API never replaces what it received.
/// </summary>
/// <param name="TimeGenerated">When the run exported the row: a rerun's rows are newer.</param>
/// <param name="Hour">The hour the row sums.</param>
/// <param name="RunId">The orchestration instance that exported it (hourly-yyyyMMddHH, or a backfill's hour run).</param>
/// <param name="Tenant">The tenant (TenantId is a reserved column name in Log Analytics).</param>
/// <param name="Cube">The rollup cube: total, usage, users or experiments. Sum one cube at a time.</param>
/// <param name="RowKey">Stable within a tenant-hour: the cube and a hash of the row's dimension values.</param>
/// <param name="Project">The row's project; null when its cube has no such dimension (so for the dimensions below).</param>
/// <param name="Service">The calling service.</param>
/// <param name="Release">The service's release.</param>
/// <param name="Environment">The deployment environment.</param>
/// <param name="Provider">The canonical provider.</param>
/// <param name="Model">The canonical model.</param>
/// <param name="Operation">chat, embedding, ….</param>
/// <param name="Department">The cost centre.</param>
/// <param name="User">The end user ((other) past the hour's top users).</param>
/// <param name="Experiment">The A/B experiment.</param>
/// <param name="Variant">The experiment's variant.</param>
/// <param name="Status">ok or error.</param>
/// <param name="Calls">Calls counted.</param>
/// <param name="Errors">Failed calls.</param>
/// <param name="InputTokens">All prompt tokens.</param>
/// <param name="CachedInputTokens">Cache-read prompt tokens.</param>
/// <param name="CacheWriteTokens">Cache-write prompt tokens.</param>
/// <param name="OutputTokens">All completion tokens.</param>
/// <param name="ReasoningTokens">Reasoning tokens.</param>
/// <param name="CostUsd">Exact cost in USD.</param>
/// <param name="UnpricedCalls">Calls without a price.</param>
public sealed record RollupExportRecord(
    DateTimeOffset TimeGenerated,
    DateTimeOffset Hour,
    string RunId,
    string Tenant,
    string Cube,
    string RowKey,
    string? Project,
    string? Service,
    string? Release,
    string? Environment,
    string? Provider,
    string? Model,
    string? Operation,
    string? Department,
    string? User,
    string? Experiment,
    string? Variant,
    string? Status,
    long Calls,
    long Errors,
    long InputTokens,
    long CachedInputTokens,
    long CacheWriteTokens,
    long OutputTokens,
    long ReasoningTokens,
    decimal CostUsd,
    long UnpricedCalls)
{
    /// <summary>The record of <paramref name="row"/> of <paramref name="tenant"/>'s <paramref name="hour"/>, exported by run <paramref name="runId"/> at <paramref name="exportedAt"/>.</summary>
    public static RollupExportRecord From(string tenant, DateTimeOffset hour, string runId, DateTimeOffset exportedAt, RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var totals = row.Totals;
        return new RollupExportRecord(
            exportedAt, hour, runId, tenant, row.Cube.Name, RowKeyOf(row),
            row.ValueOf(Dimension.Project), row.ValueOf(Dimension.Service), row.ValueOf(Dimension.Release), row.ValueOf(Dimension.Environment),
            row.ValueOf(Dimension.Provider), row.ValueOf(Dimension.Model), row.ValueOf(Dimension.Operation), row.ValueOf(Dimension.Department),
            row.ValueOf(Dimension.User), row.ValueOf(Dimension.Experiment), row.ValueOf(Dimension.Variant), row.ValueOf(Dimension.Status),
            totals.Calls, totals.Errors, totals.InputTokens, totals.CachedInputTokens, totals.CacheWriteTokens, totals.OutputTokens, totals.ReasoningTokens,
            totals.CostUsd, totals.UnpricedCalls);
    }

    /// <summary>The cube and a hash of the row's dimension values: the same row of an hour always has the same key.</summary>
    public static string RowKeyOf(RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return $"{row.Cube.Name}|{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(HourRollup.RowKey(row.Key))))[..32]}";
    }
}
