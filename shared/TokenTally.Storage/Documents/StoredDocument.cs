using System.Text.Json.Nodes;

namespace TokenTally.Storage.Documents;

/// <summary>
/// A document as the store keeps it: addressed by partition key and id, with an optional range key
/// that partition queries filter on, an opaque etag for optimistic concurrency, and an optional
/// time to live after the last write.
/// </summary>
public sealed record StoredDocument(
    string PartitionKey,
    string Id,
    string? RangeKey,
    JsonObject Data,
    string ETag,
    TimeSpan? TimeToLive);

/// <summary>What a caller writes; the store assigns the etag.</summary>
public sealed record DocumentWrite(
    string PartitionKey,
    string Id,
    JsonObject Data,
    string? RangeKey = null,
    TimeSpan? TimeToLive = null);

/// <summary>A half-open range [From, To) over range keys, compared ordinally. A null bound is open.</summary>
public sealed record RangeKeyFilter(string? From, string? To)
{
    public static RangeKeyFilter All { get; } = new(null, null);

    public bool Contains(string? rangeKey) =>
        (From is null || (rangeKey is not null && string.CompareOrdinal(rangeKey, From) >= 0)) &&
        (To is null || (rangeKey is not null && string.CompareOrdinal(rangeKey, To) < 0));
}
