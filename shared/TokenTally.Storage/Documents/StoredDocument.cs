using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenTally.Storage.Documents;

/// <summary>
/// A document as the store keeps it: addressed by partition key and id, with an optional range key
/// that partition queries filter on, an opaque etag for optimistic concurrency, and an optional
/// time to live after the last write. Adapters that read JSON text hand it over as is: callers
/// that want a typed value (<see cref="As{T}"/>) skip building a node tree, which matters when
/// a query reads thousands of rows.
/// </summary>
public sealed class StoredDocument
{
    private readonly string? _json;
    private JsonObject? _data;

    public StoredDocument(string PartitionKey, string Id, string? RangeKey, JsonObject Data, string ETag, TimeSpan? TimeToLive)
        : this(PartitionKey, Id, RangeKey, ETag, TimeToLive, null) => _data = Data;

    private StoredDocument(string partitionKey, string id, string? rangeKey, string etag, TimeSpan? timeToLive, string? json)
    {
        PartitionKey = partitionKey;
        Id = id;
        RangeKey = rangeKey;
        ETag = etag;
        TimeToLive = timeToLive;
        _json = json;
    }

    /// <summary>A document whose data is still JSON text; it is parsed only when asked for.</summary>
    public static StoredDocument FromJson(string partitionKey, string id, string? rangeKey, string json, string etag, TimeSpan? timeToLive) =>
        new(partitionKey, id, rangeKey, etag, timeToLive, json);

    public string PartitionKey { get; }

    public string Id { get; }

    public string? RangeKey { get; }

    public string ETag { get; }

    public TimeSpan? TimeToLive { get; }

    /// <summary>The document's data as a JSON object (parsed on first use).</summary>
    public JsonObject Data => _data ??= JsonNode.Parse(_json!) as JsonObject ?? [];

    /// <summary>The data as <typeparamref name="T"/>, read straight from the JSON text when there is one.</summary>
    public T? As<T>(JsonSerializerOptions options) =>
        _data is null && _json is not null ? JsonSerializer.Deserialize<T>(_json, options) : Data.Deserialize<T>(options);
}

/// <summary>
/// What a caller writes; the store assigns the etag. The data is a JSON object, given either as a node tree or,
/// by <see cref="FromJson"/>, as text a caller serialized straight from its own types: stores that keep text
/// then write it as is, which for bulk writes saves building and printing a tree per document.
/// </summary>
public sealed class DocumentWrite
{
    private readonly string? _json;
    private JsonObject? _data;

    public DocumentWrite(string PartitionKey, string Id, JsonObject Data, string? RangeKey = null, TimeSpan? TimeToLive = null)
        : this(PartitionKey, Id, RangeKey, TimeToLive, null) => _data = Data ?? throw new ArgumentNullException(nameof(Data));

    private DocumentWrite(string partitionKey, string id, string? rangeKey, TimeSpan? timeToLive, string? json)
    {
        PartitionKey = partitionKey;
        Id = id;
        RangeKey = rangeKey;
        TimeToLive = timeToLive;
        _json = json;
    }

    /// <summary>A write whose data is JSON text holding one JSON object, as a serializer wrote it: stores keep the text as it is.</summary>
    public static DocumentWrite FromJson(string partitionKey, string id, string json, string? rangeKey = null, TimeSpan? timeToLive = null, string? lookupKey = null, string? contentHash = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(json);
        return new(partitionKey, id, rangeKey, timeToLive, json) { LookupKey = lookupKey, ContentHash = contentHash };
    }

    public string PartitionKey { get; }

    public string Id { get; }

    public string? RangeKey { get; }

    public TimeSpan? TimeToLive { get; }

    /// <summary>
    /// A key, unique within the container, that finds the document without its partition
    /// (<see cref="IDocumentStore.FindByLookupKeyAsync"/>); null for none. A lookup key names one document: writing it
    /// to another partition or id deletes the document that held it (<see cref="WriteResult.MovedFrom"/>). A write without
    /// one leaves the key of the document it replaces as it is. Only unconditional writes may carry one.
    /// </summary>
    public string? LookupKey { get; init; }

    /// <summary>
    /// A digest the caller computed of the content that matters; null for none. When the document already stored under
    /// this partition key and id has the same hash, the store writes nothing and says <see cref="WriteResult.Unchanged"/>;
    /// a write without one always writes.
    /// </summary>
    public string? ContentHash { get; init; }

    /// <summary>The data as a JSON object (parsed on first use when given as text).</summary>
    public JsonObject Data => _data ??= JsonNode.Parse(_json!) as JsonObject
        ?? throw new ArgumentException($"The data of document '{Id}' is not a JSON object.");

    /// <summary>The data as JSON text, printed from the tree when given as one.</summary>
    public string DataJson => _json ?? _data!.ToJsonString();


    /// <summary>Throws when <paramref name="document"/> has a lookup key and <paramref name="condition"/> is not <see cref="WriteCondition.None"/>.</summary>
    internal static void RefuseLookupKeyUnder(WriteCondition condition, DocumentWrite document)
    {
        if (document.LookupKey is not null && condition is not WriteCondition.Unconditional)
        {
            throw new ArgumentException(
                $"Document '{document.Id}' has a lookup key, so it can only be written unconditionally (WriteCondition.None): taking the key deletes " +
                "the document that held it, in another partition or under another id, which a condition on this document cannot guard.",
                nameof(condition));
        }
    }
}

/// <summary>A half-open range [From, To) over range keys, compared ordinally. A null bound is open.</summary>
public sealed record RangeKeyFilter(string? From, string? To)
{
    public static RangeKeyFilter All { get; } = new(null, null);

    public bool Contains(string? rangeKey) =>
        (From is null || (rangeKey is not null && string.CompareOrdinal(rangeKey, From) >= 0)) &&
        (To is null || (rangeKey is not null && string.CompareOrdinal(rangeKey, To) < 0));
}
