using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;
using TokenTally.Storage.Documents;

namespace TokenTally.Functions.Ingestion;

/// <summary>How a call was normalized and priced.</summary>
/// <param name="Provider">The canonical provider.</param>
/// <param name="Model">The canonical model, or the model as sent when the catalog does not know it.</param>
/// <param name="Cost">The cost breakdown; null when unpriced.</param>
/// <param name="UnpricedReason">Why there is no cost.</param>
/// <param name="CatalogVersion">The catalog version in force at pricing time.</param>
public sealed record PricedCall(string Provider, string Model, CostBreakdown? Cost, string? UnpricedReason, string CatalogVersion)
{
    public bool Unpriced => Cost is null;
}

/// <summary>A stored call record: the event as received, how it was priced, when it arrived, and how it was priced before any re-rating.</summary>
public sealed record StoredCall(CallEvent Event, PricedCall Pricing, DateTimeOffset ReceivedAt, IReadOnlyList<PriceChange>? PriceHistory = null);

/// <summary>A pricing a call had until it was re-rated at <paramref name="ReplacedAt"/>.</summary>
public sealed record PriceChange(PricedCall Pricing, DateTimeOffset ReplacedAt);

/// <summary>
/// Call records in the calls container. A record lives in partition <c>tenant|yyyy-MM-ddTHH</c>
/// (one hour of one tenant is one partition read) under its id, with the lookup key <c>tenant|id</c>
/// that finds it by id alone.
/// </summary>
public sealed class CallRecordStore(IDocumentStore store)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string HourKey(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);

    public static string PartitionFor(string tenant, DateTimeOffset timestamp) => $"{tenant}|{HourKey(timestamp)}";

    /// <summary>Upserts records in one write; returns, per record, whether it was new.</summary>
    public async Task<IReadOnlyList<bool>> UpsertAsync(IReadOnlyList<StoredCall> calls, TimeSpan retention, CancellationToken cancellationToken)
    {
        var writes = new DocumentWrite[calls.Count];
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

            writes[i] = DocumentWrite.FromJson(PartitionFor(e.Tenant, e.Timestamp), e.Id, JsonSerializer.Serialize(call, Json),
                e.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), ttl, LookupKey(e.Tenant, e.Id));
        }

        var written = await store.UpsertManyAsync(DocumentContainer.Calls, writes, cancellationToken);
        return written.Select(w => w.Created).ToList();
    }

    public async Task<StoredCall?> GetAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var document = await store.FindByLookupKeyAsync(DocumentContainer.Calls, LookupKey(tenant, id), cancellationToken)
            ?? await FindThroughPointerAsync(tenant, id, cancellationToken);
        return document?.As<StoredCall>(Json);
    }

    /// <summary>Every call record of one tenant's hour, in no order.</summary>
    public async IAsyncEnumerable<StoredCall> ReadHourAsync(string tenant, DateTimeOffset hour, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Calls, PartitionFor(tenant, hour), RangeKeyFilter.All, cancellationToken))
        {
            yield return document.As<StoredCall>(Json)!;
        }
    }

    private static string LookupKey(string tenant, string id) => $"{tenant}|{id}";

    /// <summary>
    /// Records written before lookup keys have an id pointer document instead (in one of 64 <c>tenant|ids|xx</c> partitions, by
    /// FNV-1a of the id); they expire with their records, so this fallback outlives them by no more than the retention.
    /// </summary>
    private async Task<StoredDocument?> FindThroughPointerAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16777619u;
        }

        var pointer = await store.GetAsync(DocumentContainer.Calls, $"{tenant}|ids|{hash % 64:x2}", id, cancellationToken);
        return (string?)pointer?.Data["hour"] is { } hour
            ? await store.GetAsync(DocumentContainer.Calls, $"{tenant}|{hour}", id, cancellationToken)
            : null;
    }
}
