using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Rules;
using TokenTally.Application.Anomalies;
using TokenTally.Application.Budgets;
using TokenTally.Application.Calls;
using TokenTally.Application.Export;
using TokenTally.Application.Forecasts;
using TokenTally.Application.Pricing;
using TokenTally.Application.Projects;
using TokenTally.Application.Rollups;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Rollups;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Pipeline;

/// <summary>
/// The activities of an hour run. Each is idempotent, because Durable may run an activity more than once: a plan reads,
/// a rollup overwrites and clears its mark only if unchanged, an export resends the same rows under the same run and row keys, an archive overwrites, an anomaly scan replaces its window's anomalies under ids derived from tenant, series and hour, a forecast update overwrites with the same forecast (never with an older one), a budget check raises an alert only on
/// an hour newer than any it saw, a dispatch re-sends under the same idempotency ids, a purge deletes what has expired.
/// </summary>
public sealed class PipelineActivities(
    ChangedHours changedHours,
    ProjectStore projects,
    HourRollupService rollups,
    HourArchive archive,
    RollupExport export,
    RepriceService reprice,
    ForecastUpdate forecasts,
    BudgetChecks budgetChecks,
    AlertRuleChecks ruleChecks,
    AlertDispatch alertDispatch,
    AnomalyScanner anomalyScanner,
    IEnumerable<IExpiringDocumentStore> expiring,
    IOptions<LedgerOptions> ledger,
    TokenTallyMetrics metrics,
    TimeProvider time)
{
    public const string Plan = "PlanHourRun";
    public const string Reprice = "RepriceTenantHour";
    public const string RollUp = "RollUpTenantHour";
    public const string Archive = "ArchiveTenantHour";
    public const string Export = "ExportTenantHour";
    public const string PurgeExpired = "PurgeExpiredCalls";
    public const string UpdateForecasts = "UpdateTenantForecasts";
    public const string CheckBudgets = "CheckTenantBudgets";
    public const string CheckRules = "CheckTenantAlertRules";
    public const string DispatchAlerts = "DispatchTenantAlerts";
    public const string ScanAnomalies = "ScanTenantAnomalies";
    public const string End = "EndHourRun";

    /// <summary>Every activity name, as both hosts register them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Plan, Reprice, RollUp, Export, Archive, ScanAnomalies, UpdateForecasts, CheckBudgets, CheckRules, DispatchAlerts, PurgeExpired, End];

    /// <summary>
    /// The tenant-hours to recompute. A timer run takes the newest marked hours up to its bound, plus every tenant's
    /// fallback window; a backfill hour takes every tenant at that hour. Hours beyond retention are never recomputed (their
    /// calls are gone, their rollups must stay); their marks are dropped.
    /// </summary>
    public async Task<RunPlan> PlanAsync(PlanRequest request, CancellationToken cancellationToken)
    {
        var oldest = TimeBuckets.HourStart(time.GetUtcNow() - ledger.Value.Retention).AddHours(1);
        var marks = await changedHours.ListAsync(cancellationToken);
        var expired = marks.Where(m => m.Hour < oldest).ToList();
        foreach (var mark in expired)
        {
            await changedHours.ClearAsync(mark, cancellationToken);
        }

        var live = marks.Where(m => m.Hour >= oldest).ToList();
        var tenants = await projects.ListTenantsAsync(cancellationToken);
        if (request.Trigger == RunTrigger.Backfill)
        {
            var work = request.Hour < oldest
                ? []
                : tenants.Select(t => new TenantHour(t, request.Hour, live.FirstOrDefault(m => m.Tenant == t && m.Hour == request.Hour)?.ETag)).ToList();
            return new RunPlan(work, live.Count, work.Count(w => w.MarkETag is not null), expired.Count);
        }

        var taken = live.OrderByDescending(m => m.Hour).ThenBy(m => m.Tenant, StringComparer.Ordinal).Take(request.MaxChangedHours)
            .Select(m => new TenantHour(m.Tenant, m.Hour, m.ETag)).ToList();
        var planned = taken.Select(t => (t.Tenant, t.Hour)).ToHashSet();
        var fallback = tenants
            .SelectMany(tenant => Enumerable.Range(0, request.FallbackHours + 1).Select(back => new TenantHour(tenant, request.Hour.AddHours(-back))))
            .Where(item => item.Hour >= oldest && !planned.Contains((item.Tenant, item.Hour)));
        return new RunPlan([.. taken, .. fallback], live.Count, taken.Count, expired.Count);
    }

    public Task<int> RepriceAsync(TenantHour item, CancellationToken cancellationToken) =>
        reprice.RepriceHourAsync(item.Tenant, item.Hour, cancellationToken);

    /// <summary>Rolls the tenant-hour up, then clears its mark unless the hour was marked again meanwhile.</summary>
    public async Task<long> RollUpAsync(TenantHour item, CancellationToken cancellationToken)
    {
        using var span = TelemetrySources.Product.StartActivity(RollUp);
        span?.SetTag("tokentally.tenant", item.Tenant);
        span?.SetTag("tokentally.hour", TimeBuckets.HourKey(item.Hour));
        var calls = await rollups.RollUpAsync(item.Tenant, item.Hour, cancellationToken);
        if (item.MarkETag is { } etag)
        {
            await changedHours.ClearAsync(new ChangedHour(item.Tenant, item.Hour, etag), cancellationToken);
        }

        return calls;
    }

    /// <summary>Sends the tenant-hour's rollup rows to the Logs Ingestion API; returns how many.</summary>
    public Task<int> ExportAsync(TenantHourRun item, CancellationToken cancellationToken) =>
        export.ExportAsync(item.Tenant, item.Hour, item.RunId, cancellationToken);

    public Task<int> ArchiveAsync(TenantHour item, CancellationToken cancellationToken) =>
        archive.WriteAsync(item.Tenant, item.Hour, cancellationToken);

    /// <summary>Scans the tenant's series through the newest of the hours and replaces the anomalies of the recent window; returns how many it holds.</summary>
    public Task<int> ScanAnomaliesAsync(TenantHours work, CancellationToken cancellationToken) =>
        anomalyScanner.ScanAsync(work.Tenant, work.Hours, cancellationToken);

    /// <summary>Forecasts the tenant's total and budget scopes as of the end of the hour and stores the forecasts; returns how many changed.</summary>
    public Task<int> UpdateForecastsAsync(TenantHour item, CancellationToken cancellationToken) =>
        forecasts.UpdateAsync(item.Tenant, item.Hour, cancellationToken);

    /// <summary>Checks the tenant's budgets at each of the hours, oldest first; returns how many alerts changed state with a notification.</summary>
    public Task<int> CheckBudgetsAsync(TenantHours work, CancellationToken cancellationToken) =>
        budgetChecks.CheckAsync(work, cancellationToken);

    /// <summary>Checks the tenant's alert rules at each of the hours, oldest first; returns how many alerts changed state with a notification.</summary>
    public Task<int> CheckRulesAsync(TenantHours work, CancellationToken cancellationToken) =>
        ruleChecks.CheckAsync(work, cancellationToken);

    /// <summary>Sends the tenant's waiting alert notifications, one message per channel; failed deliveries are in the result.</summary>
    public Task<TenantDispatch> DispatchAlertsAsync(DispatchRequest request, CancellationToken cancellationToken) =>
        alertDispatch.DispatchAsync(request, cancellationToken);

    /// <summary>Deletes expired documents where the store has no expiry of its own; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var purged = 0;
        foreach (var store in expiring)
        {
            purged += await store.PurgeExpiredAsync(cancellationToken);
        }

        return purged;
    }

    /// <summary>Measures the run's duration and outcome; returns the duration in seconds.</summary>
    public Task<double> EndAsync(HourRunEnd end, CancellationToken cancellationToken)
    {
        var duration = time.GetUtcNow() - end.StartedAt;
        metrics.HourRunEnded(backfill: end.Trigger == RunTrigger.Backfill, end.Succeeded, duration);
        return Task.FromResult(duration.TotalSeconds);
    }
}
