using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Core.Calls;
using TokenTally.Core.Rollups;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Calls;

/// <summary>What a write did to one call of the ledger.</summary>
public enum LedgerOutcome
{
    /// <summary>The id was new.</summary>
    Created,

    /// <summary>The id was known and its content changed (the new content replaced the old).</summary>
    Updated,

    /// <summary>The id was known with this exact content: nothing was written.</summary>
    Unchanged,
}

/// <summary>A write's outcome; <paramref name="MovedFromHour"/> is the hour the call was in before its timestamp moved.</summary>
public readonly record struct LedgerWrite(LedgerOutcome Outcome, DateTimeOffset? MovedFromHour);

/// <summary>
/// The call ledger. A call lives in partition <c>tenant|yyyy-MM-ddTHH</c> (one hour of one tenant is one partition read)
/// under its id, with the lookup key <c>tenant|id</c>: the store keeps one document per lookup key, so a call re-sent with
/// a timestamp in another hour moves there and leaves its old hour. Every hour a write touches is marked changed.
/// </summary>
public sealed class CallRecordStore(IDocumentStore store, ChangedHours changedHours)
{
    public static string PartitionFor(string tenant, DateTimeOffset timestamp) => $"{tenant}|{TimeBuckets.HourKey(timestamp)}";

    /// <summary>Upserts calls in one write and marks the hours they changed; returns what happened to each.</summary>
    public async Task<IReadOnlyList<LedgerWrite>> UpsertAsync(IReadOnlyList<StoredCall> calls, TimeSpan retention, CancellationToken cancellationToken)
    {
        if (calls.Count == 0)
        {
            return [];
        }

        var writes = new DocumentWrite[calls.Count];
        var buffer = new ArrayBufferWriter<byte>(1024);
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            var e = call.Event;

            // Expire by the call's own time, not the write's: a late record keeps only what is left of its retention.
            var ttl = retention - (call.ReceivedAt - e.Timestamp);
            if (ttl < TimeSpan.FromMinutes(1))
            {
                ttl = TimeSpan.FromMinutes(1);
            }

            buffer.ResetWrittenCount();
            var hash = Serialize(call, buffer);
            writes[i] = DocumentWrite.FromJson(PartitionFor(e.Tenant, e.Timestamp), e.Id, Encoding.UTF8.GetString(buffer.WrittenSpan),
                e.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), ttl, LookupKey(e.Tenant, e.Id), hash);
        }

        // Marked before the write too, so that a crash between the write and the marks below cannot leave an hour unmarked.
        var hours = calls.Select(c => (c.Event.Tenant, TimeBuckets.HourStart(c.Event.Timestamp))).ToList();
        await changedHours.MarkAsync(hours, cancellationToken);
        var written = await store.UpsertManyAsync(DocumentContainer.Calls, writes, cancellationToken);

        var results = new LedgerWrite[calls.Count];
        var changed = new List<(string, DateTimeOffset)>();
        for (var i = 0; i < calls.Count; i++)
        {
            var result = written[i];
            var movedFrom = result.MovedFrom is { } partition ? HourOfPartition(partition) : (DateTimeOffset?)null;
            results[i] = new LedgerWrite(result.Created ? LedgerOutcome.Created : result.Unchanged ? LedgerOutcome.Unchanged : LedgerOutcome.Updated, movedFrom);
            if (!result.Unchanged)
            {
                changed.Add(hours[i]);
            }

            if (movedFrom is { } from)
            {
                changed.Add((calls[i].Event.Tenant, from));
            }
        }

        // Marked again after the write: an hour rolled up between the two marks keeps its mark for the next run.
        await changedHours.MarkAsync(changed, cancellationToken);
        return results;
    }

    public async Task<StoredCall?> GetAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var document = await store.FindByLookupKeyAsync(DocumentContainer.Calls, LookupKey(tenant, id), cancellationToken);
        return document?.As<StoredCall>(TokenTallyJson.Options);
    }

    /// <summary>Every call record of one tenant's hour, in no order.</summary>
    public async IAsyncEnumerable<StoredCall> ReadHourAsync(string tenant, DateTimeOffset hour, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Calls, PartitionFor(tenant, hour), RangeKeyFilter.All, cancellationToken))
        {
            yield return document.As<StoredCall>(TokenTallyJson.Options)!;
        }
    }

    /// <summary>
    /// Writes the stored call as JSON and returns the hash of its content: the event and its pricing, not when it arrived,
    /// so that an identical record sent again is recognized as unchanged.
    /// </summary>
    internal static string Serialize(StoredCall call, ArrayBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WritePropertyName("event"u8);
        JsonSerializer.Serialize(writer, call.Event, TokenTallyJson.Options);
        writer.WritePropertyName("pricing"u8);
        JsonSerializer.Serialize(writer, call.Pricing, TokenTallyJson.Options);
        writer.Flush();
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, digest);
        writer.WriteString("receivedAt"u8, call.ReceivedAt);
        if (call.PriceHistory is { } history)
        {
            writer.WritePropertyName("priceHistory"u8);
            JsonSerializer.Serialize(writer, history, TokenTallyJson.Options);
        }

        writer.WriteEndObject();
        writer.Flush();
        return Convert.ToBase64String(digest[..16]);
    }

    private static string LookupKey(string tenant, string id) => $"{tenant}|{id}";

    private static DateTimeOffset HourOfPartition(string partition) =>
        TimeBuckets.TryParseHourKey(partition[(partition.LastIndexOf('|') + 1)..], out var hour) ? hour : throw new InvalidDataException($"'{partition}' is not a call partition.");
}
