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
/// (one hour of one tenant is one partition read) under its id; a small pointer in
/// <c>tenant|ids|xx</c> finds it by id alone.
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

    /// <summary>Upserts records and their id pointers in one write; returns, per record, whether it was new.</summary>
    public async Task<IReadOnlyList<bool>> UpsertAsync(IReadOnlyList<StoredCall> calls, TimeSpan retention, CancellationToken cancellationToken)
    {
        var writes = new DocumentWrite[calls.Count * 2];
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

            var hour = HourKey(e.Timestamp);
            writes[i] = DocumentWrite.FromJson($"{e.Tenant}|{hour}", e.Id, JsonSerializer.Serialize(call, Json),
                e.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), ttl);
            writes[calls.Count + i] = DocumentWrite.FromJson(PointerPartition(e.Tenant, e.Id), e.Id, $$"""{"hour":"{{hour}}"}""", timeToLive: ttl);
        }

        var written = await store.UpsertManyAsync(DocumentContainer.Calls, writes, cancellationToken);
        var created = new bool[calls.Count];
        for (var i = 0; i < created.Length; i++)
        {
            created[i] = written[i].Created;
        }

        return created;
    }

    public async Task<StoredCall?> GetAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var pointer = await store.GetAsync(DocumentContainer.Calls, PointerPartition(tenant, id), id, cancellationToken);
        if ((string?)pointer?.Data["hour"] is not { } hour)
        {
            return null;
        }

        var document = await store.GetAsync(DocumentContainer.Calls, $"{tenant}|{hour}", id, cancellationToken);
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

    /// <summary>Spreads a tenant's id pointers over 64 partitions (FNV-1a of the id), so none outgrows Cosmos DB's 20 GB.</summary>
    private static string PointerPartition(string tenant, string id)
    {
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return $"{tenant}|ids|{hash % 64:x2}";
    }
}
