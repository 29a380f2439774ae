using System.Text.Json.Nodes;
using TokenTally.Core.Rollups;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Calls;

/// <summary>A tenant-hour whose calls changed since its last rollup, with the etag of its mark.</summary>
public sealed record ChangedHour(string Tenant, DateTimeOffset Hour, string ETag);

/// <summary>
/// Marks of the tenant-hours whose calls changed since they were last rolled up: the ledger marks every hour it writes
/// (and the hour a moved call left), the hourly run rolls up the marked hours and clears each mark only if nobody marked
/// it again meanwhile (etag), so a call stored while its hour was being rolled up is counted by the next run.
/// </summary>
public sealed class ChangedHours(IDocumentStore store, TimeProvider time)
{
    public const string Partition = "_changed-hours";

    public async Task MarkAsync(IEnumerable<(string Tenant, DateTimeOffset Hour)> hours, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var writes = hours.Distinct()
            .Select(h => new DocumentWrite(Partition, Id(h.Tenant, h.Hour), new JsonObject { ["tenant"] = h.Tenant, ["hour"] = h.Hour, ["markedAt"] = now }, TimeBuckets.HourKey(h.Hour)))
            .ToList();
        if (writes.Count > 0)
        {
            await store.UpsertManyAsync(DocumentContainer.Config, writes, cancellationToken);
        }
    }

    /// <summary>Every mark, oldest hour first.</summary>
    public async Task<IReadOnlyList<ChangedHour>> ListAsync(CancellationToken cancellationToken)
    {
        var marks = new List<ChangedHour>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, Partition, RangeKeyFilter.All, cancellationToken))
        {
            marks.Add(new ChangedHour((string)document.Data["tenant"]!, document.Data["hour"]!.GetValue<DateTimeOffset>(), document.ETag));
        }

        return marks.OrderBy(m => m.Hour).ThenBy(m => m.Tenant, StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes a mark unless it was marked again after it was listed; true when it was removed.</summary>
    public async Task<bool> ClearAsync(ChangedHour mark, CancellationToken cancellationToken) =>
        (await store.DeleteAsync(DocumentContainer.Config, Partition, Id(mark.Tenant, mark.Hour), mark.ETag, cancellationToken)).Succeeded;

    private static string Id(string tenant, DateTimeOffset hour) => $"{tenant}|{TimeBuckets.HourKey(hour)}";
}
