using System.Text.Json.Serialization;
using TokenTally.Application.Alerts.Channels;

namespace TokenTally.Application.Pipeline;

/// <summary>Why an hour run was started.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunTrigger>))]
public enum RunTrigger
{
    /// <summary>The hourly timer: the marked hours, the fallback window, retention.</summary>
    Timer,

    /// <summary>One hour of a backfill: every tenant's calls of that hour, repriced first when asked.</summary>
    Backfill,
}

/// <summary>The input of an hour run.</summary>
/// <param name="Hour">The hour the run is for: the last closed hour for the timer, the backfilled hour for a backfill.</param>
/// <param name="Trigger">Why it runs, which decides what it plans.</param>
/// <param name="Reprice">Whether to price the hour's calls again before rolling them up.</param>
/// <param name="Settings">The pipeline settings when the run started.</param>
/// <param name="ScanAnomalies">
/// Whether the run scans its tenants for anomalies: always for the timer; a backfill scans every sixth hour and its last,
/// as each scan reads 90 days of rollups and stores the anomalies of the 48 hours before it.
/// </param>
public sealed record HourRunInput(DateTimeOffset Hour, RunTrigger Trigger, bool Reprice, RunSettings Settings, bool ScanAnomalies = true);

/// <summary>One tenant-hour to recompute, with the etag of its changed mark when it has one.</summary>
public sealed record TenantHour(string Tenant, DateTimeOffset Hour, string? MarkETag = null);

/// <summary>A tenant-hour as one run works on it: the export tags its rows with the run (the orchestration instance id).</summary>
public sealed record TenantHourRun(string Tenant, DateTimeOffset Hour, string RunId);

/// <summary>What to plan: the hour run's hour and trigger, and how many marked hours it may take.</summary>
public sealed record PlanRequest(DateTimeOffset Hour, RunTrigger Trigger, int MaxChangedHours, int FallbackHours);

/// <summary>
/// The tenant-hours a run works on, and what it left: <paramref name="ChangedPending"/> marked hours existed,
/// <paramref name="ChangedTaken"/> of them are in <paramref name="Work"/>, <paramref name="ChangedExpired"/> lay beyond
/// retention and were dropped.
/// </summary>
public sealed record RunPlan(IReadOnlyList<TenantHour> Work, int ChangedPending, int ChangedTaken, int ChangedExpired);

/// <summary>How one step of a run went.</summary>
/// <param name="Name">reprice, rollup, export, archive, budgets, alerts or retention.</param>
/// <param name="Status">pending, running, succeeded or failed.</param>
/// <param name="Items">Work items of the step (tenant-hours; tenants for budgets and alerts; 1 for retention).</param>
/// <param name="Done">Items finished.</param>
/// <param name="Failed">Items that failed for good, after their retries.</param>
/// <param name="Errors">Up to five of the failures, as "tenant@hour: message".</param>
public sealed record StepReport(string Name, string Status, int Items, int Done, int Failed, IReadOnlyList<string> Errors);

/// <summary>An hour run's record: kept as the orchestration's custom status while it runs and as its output when done.</summary>
/// <param name="Hour">The hour the run is for.</param>
/// <param name="Trigger">Why it ran.</param>
/// <param name="ChangedPending">Marked (changed) hours that existed when it planned.</param>
/// <param name="ChangedTaken">Marked hours it took.</param>
/// <param name="ChangedLeftOver">Marked hours it left for the next run.</param>
/// <param name="ChangedExpired">Marked hours beyond retention whose marks it dropped.</param>
/// <param name="CallsRolledUp">Calls in the tenant-hours it rolled up.</param>
/// <param name="Steps">Each step, in order.</param>
/// <param name="AlertsTransitioned">Budget and rule alerts that changed state with a notification (fired, re-notified, reopened, resolved).</param>
/// <param name="Deliveries">The alert deliveries the run attempted, per channel: the failed ones first, at most <see cref="MaxDeliveriesListed"/>.</param>
/// <param name="DeliveriesAttempted">How many deliveries the run attempted in all.</param>
/// <param name="DeliveriesFailed">How many of them failed.</param>
public sealed record HourRunReport(
    DateTimeOffset Hour,
    RunTrigger Trigger,
    int ChangedPending,
    int ChangedTaken,
    int ChangedLeftOver,
    int ChangedExpired,
    long CallsRolledUp,
    IReadOnlyList<StepReport> Steps,
    int AlertsTransitioned = 0,
    IReadOnlyList<DeliveryRecord>? Deliveries = null,
    int DeliveriesAttempted = 0,
    int DeliveriesFailed = 0)
{
    /// <summary>The most deliveries a run's record lists: it is the orchestration's status and output, which must stay small.</summary>
    public const int MaxDeliveriesListed = 50;
}

/// <summary>How an hour run ended: what started it, when (the orchestration's own clock) and whether all its work succeeded.</summary>
public sealed record HourRunEnd(RunTrigger Trigger, DateTimeOffset StartedAt, bool Succeeded);

/// <summary>A backfill's input: hours [From, To), the next one to start, and what is done so far (it continues as new every so many hours).</summary>
public sealed record BackfillInput(DateTimeOffset From, DateTimeOffset To, bool Reprice, RunSettings Settings, DateTimeOffset? Next = null, int Succeeded = 0, IReadOnlyList<string>? FailedHours = null);

/// <summary>A backfill's progress (custom status) and result (output).</summary>
public sealed record BackfillReport(DateTimeOffset From, DateTimeOffset To, bool Reprice, int Hours, int Succeeded, IReadOnlyList<string> FailedHours);
