using Microsoft.Extensions.Options;
using TokenTally.Application.Calls;
using TokenTally.Application.Pricing;
using TokenTally.Application.Projects;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Ingestion;

/// <summary>The project a batch is sent for: the sending key's tenant and project.</summary>
public sealed record IntakeKey(string Tenant, string Project);

public sealed record RejectedRecord(int Index, string? Id, IReadOnlyList<FieldError> Errors);

public sealed record AssignedId(int Index, string Id);

/// <summary>
/// What happened to a batch: accepted records (new, changed, or identical to what was stored), unpriced ones, and every
/// rejected record with all its errors. <see cref="ProjectGone"/> when the key's project no longer exists: nothing stored.
/// </summary>
public sealed record IngestionResult(int Accepted, int Created, int Updated, int Duplicates, int Unpriced, IReadOnlyList<RejectedRecord> Rejected, IReadOnlyList<AssignedId> AssignedIds, bool ProjectGone = false)
{
    /// <summary>True when records were rejected and every one only for writing outside the key's project.</summary>
    public bool OnlyForbidden => Rejected.Count > 0 && Rejected.All(r => r.Errors.All(e => e.Code == "forbidden"));
}

/// <summary>
/// The one intake behind HTTP and Event Hubs: validate every record, normalize and price the good ones, and upsert them
/// by (tenant, id), so a redelivered batch changes no total and a re-sent record replaces the one before.
/// </summary>
public sealed class IngestionService(
    CallRecordStore calls,
    ProjectStore projects,
    CallPricer pricer,
    UnpricedCounter unpriced,
    TokenTallyMetrics metrics,
    TimeProvider time,
    IOptions<LedgerOptions> ledger)
{
    /// <summary>
    /// Reads and parses a body for <paramref name="key"/> (no I/O); <see cref="IngestAsync"/> stores what it read. A record
    /// sent without an id gets one from <paramref name="assignId"/>, by default a new random one.
    /// </summary>
    public CallBatchReading Read(IntakeKey key, ReadOnlyMemory<byte> body, BatchFormat format, int maxRecords = int.MaxValue, Func<string>? assignId = null)
    {
        var now = time.GetUtcNow();
        var context = new CallEventContext(key.Tenant, key.Project, now, ledger.Value.Retention);
        return CallBatchReader.Read(body, format, context, assignId ?? (() => Guid.CreateVersion7(now).ToString("N")), maxRecords);
    }

    /// <summary>Stores the batch's good records and counts what became of each record, by <paramref name="intake"/>.</summary>
    public async Task<IngestionResult> IngestAsync(IntakeKey key, IReadOnlyList<BatchRecord> records, Intake intake, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var project = await projects.GetAsync(key.Tenant, key.Project, cancellationToken);
        if (project is null)
        {
            return new IngestionResult(0, 0, 0, 0, 0, [], [], ProjectGone: true);
        }

        var overrides = await pricer.GetOverridesAsync(key.Tenant, cancellationToken);
        var accepted = new List<StoredCall>(records.Count);
        var rejected = new List<RejectedRecord>();
        var assigned = new List<AssignedId>();
        var seen = new Dictionary<string, int>(records.Count, StringComparer.Ordinal);
        for (var index = 0; index < records.Count; index++)
        {
            var (_, callEvent, sentId, errors) = records[index];
            if (callEvent is null)
            {
                rejected.Add(new RejectedRecord(index, sentId, errors));
                continue;
            }

            if (!seen.TryAdd(callEvent.Id, index))
            {
                rejected.Add(new RejectedRecord(index, sentId, [new FieldError("id", "duplicate", $"id '{callEvent.Id}' already appears at index {seen[callEvent.Id]} of this batch.")]));
                continue;
            }

            if (callEvent.IdAssigned)
            {
                assigned.Add(new AssignedId(index, callEvent.Id));
            }

            accepted.Add(new StoredCall(callEvent, pricer.Price(callEvent, project, overrides), now));
        }

        var written = await calls.UpsertAsync(accepted, ledger.Value.Retention, cancellationToken);
        var newUnpriced = accepted.Where((call, i) => written[i].Outcome == LedgerOutcome.Created && call.Pricing.Unpriced).ToList();
        if (newUnpriced.Count > 0)
        {
            await unpriced.AddAsync(key.Tenant, now, newUnpriced.Select(c => c.Pricing.Model), cancellationToken);
        }

        var result = new IngestionResult(
            accepted.Count,
            written.Count(w => w.Outcome == LedgerOutcome.Created),
            written.Count(w => w.Outcome == LedgerOutcome.Updated),
            written.Count(w => w.Outcome == LedgerOutcome.Unchanged),
            accepted.Count(c => c.Pricing.Unpriced),
            rejected,
            assigned);
        metrics.Accepted(intake, result.Created, result.Updated, result.Duplicates, result.Unpriced);
        foreach (var record in rejected)
        {
            metrics.Rejected(intake, record.Errors.FirstOrDefault()?.Code);
        }

        return result;
    }
}
