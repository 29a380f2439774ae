using System.Diagnostics.Metrics;
using TokenTally.Application.Health;

namespace TokenTally.Application.Telemetry;

/// <summary>How a batch arrived.</summary>
public enum Intake
{
    Http,
    EventHubs,
}

/// <summary>Why an Event Hubs event or record went to the dead letters.</summary>
public enum DeadLetterReason
{
    Authentication,
    UnreadableBody,
    ProjectGone,
    InvalidRecord,
}

/// <summary>
/// The product's metrics, on the meter <see cref="MeterName"/>. Every dimension is bounded: a fixed set of values, or the
/// tenant id (as many as the deployment has tenants); never a user, model or other free text, never a key.
/// </summary>
public sealed class TokenTallyMetrics
{
    public const string MeterName = "TokenTally";

    /// <summary>Reject reasons as the call record's parser names them; any other code counts as "other".</summary>
    public static IReadOnlySet<string> RejectReasons { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "required", "type", "range", "format", "syntax", "encoding", "length", "convention", "enum", "empty", "unknown", "duplicate", "forbidden",
    };

    private readonly Counter<long> _ingested;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _unpriced;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _hourRunDuration;
    private readonly Histogram<double> _hourlyCost;

    public TokenTallyMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName, ProductVersion.Value);
        _ingested = meter.CreateCounter<long>("tokentally.events.ingested", "{event}", "Call records accepted, by intake and outcome (created, updated, duplicate).");
        _rejected = meter.CreateCounter<long>("tokentally.events.rejected", "{event}", "Call records rejected, by intake and the code of their first error.");
        _unpriced = meter.CreateCounter<long>("tokentally.events.unpriced", "{event}", "Accepted call records whose model the price catalog does not know.");
        _deadLettered = meter.CreateCounter<long>("tokentally.events.dead_lettered", "{event}", "Event Hubs events or records written to the dead letters, by reason.");
        _hourRunDuration = meter.CreateHistogram<double>("tokentally.hour_run.duration", "s", "Hour runs from start to end, by trigger and outcome.");
        _hourlyCost = meter.CreateHistogram<double>("tokentally.cost.hourly", "{USD}", "A tenant-hour's cost in USD, measured each time the hour is rolled up.");
    }

    /// <summary>A batch's accepted records: new, changed and identical to what was stored; and how many of them are unpriced.</summary>
    public void Accepted(Intake intake, int created, int updated, int duplicates, int unpriced)
    {
        var channel = IntakeTag(intake);
        Add(_ingested, created, channel, new("tokentally.ingest.outcome", "created"));
        Add(_ingested, updated, channel, new("tokentally.ingest.outcome", "updated"));
        Add(_ingested, duplicates, channel, new("tokentally.ingest.outcome", "duplicate"));
        Add(_unpriced, unpriced, channel);
    }

    /// <summary>One rejected record, counted under the code of its first error.</summary>
    public void Rejected(Intake intake, string? code) => _rejected.Add(1, IntakeTag(intake), new("error.type", RejectReason(code)));

    public void DeadLettered(DeadLetterReason reason) =>
        _deadLettered.Add(1, new KeyValuePair<string, object?>("error.type", reason switch
        {
            DeadLetterReason.Authentication => "authentication",
            DeadLetterReason.UnreadableBody => "unreadable_body",
            DeadLetterReason.ProjectGone => "project_gone",
            _ => "invalid_record",
        }));

    public void HourRunEnded(bool backfill, bool succeeded, TimeSpan duration) =>
        _hourRunDuration.Record(
            Math.Max(0, duration.TotalSeconds),
            new KeyValuePair<string, object?>("tokentally.run.trigger", backfill ? "backfill" : "timer"),
            new KeyValuePair<string, object?>("tokentally.run.outcome", succeeded ? "succeeded" : "failed"));

    public void HourRolledUp(string tenant, decimal costUsd) =>
        _hourlyCost.Record((double)costUsd, new KeyValuePair<string, object?>("tokentally.tenant", tenant));

    internal static string RejectReason(string? code) => code is not null && RejectReasons.Contains(code) ? code : "other";

    private static KeyValuePair<string, object?> IntakeTag(Intake intake) => new("tokentally.intake", intake == Intake.Http ? "http" : "eventhubs");

    private static void Add(Counter<long> counter, long value, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (value > 0)
        {
            counter.Add(value, tags);
        }
    }
}
