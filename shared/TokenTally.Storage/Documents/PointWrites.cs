using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace TokenTally.Storage.Documents;

/// <summary>An item as <see cref="PointWrites"/> reads it.</summary>
/// <param name="ETag">Its etag.</param>
/// <param name="ContentHash">The <see cref="DocumentWrite.ContentHash"/> it was written with.</param>
/// <param name="Lineage">The token its document got when it was created, kept through replacements; null for none.</param>
/// <param name="Data">Its data.</param>
internal sealed record PointItem(string ETag, string? ContentHash, string? Lineage, JsonObject Data);

/// <summary>The point operations on one container that <see cref="PointWrites"/> needs from a store.</summary>
internal interface IPointOperations
{
    /// <summary>Reads one item; null when there is none (or it has expired).</summary>
    Task<PointItem?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Creates (<see cref="WriteCondition.IfNotExists"/>), replaces (<see cref="WriteCondition.IfMatch"/>) or upserts
    /// (<see cref="WriteCondition.None"/>) one item with its content hash and <paramref name="lineage"/>.
    /// </summary>
    Task<WriteResult> WriteAsync(DocumentWrite item, string? lineage, WriteCondition condition, CancellationToken cancellationToken);

    /// <summary>Gives one item a new etag, its data left as it is, if its etag is still <paramref name="ifMatch"/>.</summary>
    Task<WriteResult> TouchAsync(string partitionKey, string id, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes one item if its etag is still <paramref name="ifMatch"/> (whatever it is when null).</summary>
    Task<WriteStatus> DeleteAsync(string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken);
}

/// <summary>
/// Unconditional document writes over point operations alone, for stores without transactions across partitions (Cosmos DB;
/// Azure Table Storage): a content hash that is stored already writes nothing, and a lookup key names one document. The key
/// is a pointer item (in one of 64 partitions, by a hash of the key) that names the document holding it, by partition key,
/// id and etag; writing the key elsewhere moves the pointer and deletes the document it named.
/// </summary>
/// <remarks>
/// A writer that stops between writing its document and the pointer leaves a second document holding the key until the
/// key is written again (clients send an unacknowledged batch again). A write that takes the key from another document
/// touches its own document first (see <c>TakeLookupKeyAsync</c>), which gives it a new etag, and in Cosmos DB a new
/// time to live, even when its content was <see cref="WriteResult.Unchanged"/>.
/// </remarks>
internal sealed class PointWrites(IPointOperations items)
{
    /// <summary>One write under <paramref name="condition"/>, as <see cref="IDocumentStore.UpsertAsync"/> promises.</summary>
    public async Task<WriteResult> UpsertAsync(DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(condition);
        DocumentWrite.RefuseLookupKeyUnder(condition, document);
        switch (condition)
        {
            case WriteCondition.Matching m when document.ContentHash is { } hash:
                var current = await items.ReadAsync(document.PartitionKey, document.Id, cancellationToken);
                if (current is null || current.ETag != m.ETag)
                {
                    return WriteResult.Failed(current is null ? WriteStatus.NotFound : WriteStatus.PreconditionFailed);
                }

                return current.ContentHash == hash ? WriteResult.Success(current.ETag, unchanged: true) : await items.WriteAsync(document, null, condition, cancellationToken);
            case WriteCondition.Matching or WriteCondition.Absent:
                return await items.WriteAsync(document, null, condition, cancellationToken);
            default:
                return await UpsertAsync(document, cancellationToken);
        }
    }

    /// <summary>The document holding <paramref name="lookupKey"/>, found through its pointer item by <paramref name="get"/> (the store's point read).</summary>
    public static async Task<StoredDocument?> FindByLookupKeyAsync(string lookupKey, Func<string, string, Task<StoredDocument?>> get)
    {
        ArgumentException.ThrowIfNullOrEmpty(lookupKey);
        var (pointerPartition, pointerId) = PointerOf(lookupKey);
        var pointer = await get(pointerPartition, pointerId);
        return pointer is not null && Target(pointer.Data, lookupKey) is { } target ? await get(target.PartitionKey, target.Id) : null;
    }

    /// <summary>Writes one document; see <see cref="IDocumentStore.UpsertManyAsync"/> for what the result says.</summary>
    public async Task<WriteResult> UpsertAsync(DocumentWrite document, CancellationToken cancellationToken)
    {
        var written = await WriteDocumentAsync(document, cancellationToken);
        return document.LookupKey is { } key
            ? await TakeLookupKeyAsync(document, key, written, cancellationToken)
            : WriteResult.Success(written.ETag, written.Created, unchanged: written.Unchanged);
    }

    /// <summary>Writes many, in parallel but for those that share a lookup key (or, without one, a partition key and id), which go in order.</summary>
    public async Task<IReadOnlyList<WriteResult>> UpsertManyAsync(IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken)
    {
        var results = new WriteResult[documents.Count];
        var groups = Enumerable.Range(0, documents.Count)
            .GroupBy(i => documents[i].LookupKey is { } key ? "key\n" + key : $"doc\n{documents[i].PartitionKey}\n{documents[i].Id}", StringComparer.Ordinal);
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            foreach (var i in group)
            {
                results[i] = await UpsertAsync(documents[i], ct);
            }
        });
        return results;
    }

    /// <summary>
    /// Takes the lookup key for a document this writer has just created at <paramref name="etag"/> with
    /// <paramref name="lineage"/> (a store that created it by other means than this class, in a batch).
    /// </summary>
    public Task<WriteResult> TakeLookupKeyOfCreatedAsync(DocumentWrite document, string etag, string lineage, CancellationToken cancellationToken) =>
        TakeLookupKeyAsync(document, document.LookupKey ?? throw new ArgumentException($"Document '{document.Id}' has no lookup key.", nameof(document)),
            new Written(etag, lineage, Created: true, Unchanged: false), cancellationToken);

    /// <summary>The pointer item a document created at <paramref name="etag"/> with <paramref name="lineage"/> writes when its lookup key had no pointer.</summary>
    public static DocumentWrite FirstPointer(DocumentWrite document, string etag, string lineage)
    {
        var key = document.LookupKey ?? throw new ArgumentException($"Document '{document.Id}' has no lookup key.", nameof(document));
        var (partitionKey, id) = PointerOf(key);
        return new DocumentWrite(partitionKey, id, new Pointer(key, document.PartitionKey, document.Id, etag, lineage, lineage).ToJson(), TimeToLive: document.TimeToLive);
    }

    /// <summary>The item that names the document holding <paramref name="lookupKey"/>: its partition key and id.</summary>
    public static (string PartitionKey, string Id) PointerOf(string lookupKey)
    {
        var hash = 2166136261u;
        foreach (var c in lookupKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        // Item ids may not hold '/', '\\', '?' or '#' and are at most 255 characters; a hash of the key is neither.
        return ($"{PointerPartitionPrefix}{hash % 64:x2}", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lookupKey))));
    }

    /// <summary>Whether <paramref name="partitionKey"/> is one of the partitions that hold pointer items.</summary>
    public static bool IsPointerPartition(string partitionKey) => partitionKey.StartsWith(PointerPartitionPrefix, StringComparison.Ordinal);

    private const string PointerPartitionPrefix = "lookup|";

    /// <summary>Reads where a pointer item points; null when its data is not a pointer to <paramref name="lookupKey"/>.</summary>
    public static (string PartitionKey, string Id)? Target(JsonObject pointer, string lookupKey) =>
        Pointer.From(pointer) is { } p && p.Key == lookupKey ? (p.PartitionKey, p.Id) : null;

    /// <summary>(a) Writes the document itself, counting exactly: created, replaced, or left as it is for an equal content hash.</summary>
    private async Task<Written> WriteDocumentAsync(DocumentWrite document, CancellationToken cancellationToken)
    {
        if (document.LookupKey is null && document.ContentHash is null)
        {
            var upserted = await items.WriteAsync(document, null, WriteCondition.None, cancellationToken);
            return new(upserted.ETag!, null, upserted.Created, Unchanged: false);
        }

        while (true)
        {
            var current = await items.ReadAsync(document.PartitionKey, document.Id, cancellationToken);
            if (current is null)
            {
                var lineage = document.LookupKey is null ? null : Guid.NewGuid().ToString("N");
                var created = await items.WriteAsync(document, lineage, WriteCondition.IfNotExists, cancellationToken);
                if (created.Succeeded)
                {
                    return new(created.ETag!, lineage, Created: true, Unchanged: false);
                }
            }
            else if (document.ContentHash is { } hash && current.ContentHash == hash)
            {
                return new(current.ETag, current.Lineage, Created: false, Unchanged: true);
            }
            else
            {
                var replaced = await items.WriteAsync(document, current.Lineage, WriteCondition.IfMatch(current.ETag), cancellationToken);
                if (replaced.Succeeded)
                {
                    return new(replaced.ETag!, current.Lineage, Created: false, Unchanged: false);
                }
            }

            // Another writer came first (Conflict, PreconditionFailed or NotFound): decide again on what it left.
        }
    }

    /// <summary>(b) Makes the lookup key's pointer name the document just written, deleting the document it named before.</summary>
    /// <remarks>
    /// Why, once all writers are done, exactly one document holds the key (the one the pointer names, at the etag it has):
    /// every writer writes its document before it reads the pointer, and leaves only when the pointer names the version at its
    /// location, so after the last write to any location the pointer named it. The pointer leaves a location only by a swing
    /// (compare-and-swap on the pointer), after which the swinger deletes the version it swung away from if that is still
    /// the version there. Before swinging the pointer to its own location a writer touches its document (the fence), so a
    /// delayed delete from an earlier swing away from that location finds another etag and fails, instead of deleting the
    /// document the pointer now names (as an unconditional delete would: A rewrites P; B swings P to Q; A swings Q to P and
    /// deletes Q; B deletes P: nothing is left). A writer whose version was replaced meanwhile leaves the key to the writer
    /// that replaced it. Created goes to the writer that created the first document the pointer named (its lineage is the
    /// pointer's origin), whoever wrote the pointer, so concurrent writers count one creation between them. A writer that
    /// stops between its document and this step leaves its document beside the pointer's until the key is written again.
    /// </remarks>
    private async Task<WriteResult> TakeLookupKeyAsync(DocumentWrite document, string key, Written mine, CancellationToken cancellationToken)
    {
        var (pointerPartition, pointerId) = PointerOf(key);
        var createdLineages = new List<string>();
        Remember(mine);
        string? movedFrom = null;
        while (true)
        {
            var item = await items.ReadAsync(pointerPartition, pointerId, cancellationToken);
            string? origin;
            if (item is null || Pointer.From(item.Data) is not { } pointer)
            {
                var made = await WritePointerAsync(new(key, document.PartitionKey, document.Id, mine.ETag, mine.Lineage, mine.Lineage), item?.ETag, cancellationToken);
                if (!made.Succeeded)
                {
                    continue;
                }

                origin = mine.Lineage;
            }
            else if (pointer.PartitionKey == document.PartitionKey && pointer.Id == document.Id)
            {
                origin = pointer.Origin;
                if (pointer.ETag != mine.ETag)
                {
                    // The pointer names an older version of this document, or a later writer's: bring it up to the stored one.
                    var current = await items.ReadAsync(document.PartitionKey, document.Id, cancellationToken);
                    if (current is null)
                    {
                        Remember(mine = await WriteDocumentAsync(document, cancellationToken));
                        continue;
                    }

                    if (current.ETag != pointer.ETag)
                    {
                        // A pointer to an earlier lifetime of this document (deleted since) counts as no pointer.
                        origin = current.Lineage == pointer.Lineage ? pointer.Origin : current.Lineage;
                        var updated = await WritePointerAsync(pointer with { ETag = current.ETag, Lineage = current.Lineage, Origin = origin }, item.ETag, cancellationToken);
                        if (!updated.Succeeded)
                        {
                            continue;
                        }
                    }
                }
            }
            else
            {
                origin = pointer.Origin;
                var fenced = await items.TouchAsync(document.PartitionKey, document.Id, mine.ETag, cancellationToken);
                if (fenced.Status == WriteStatus.NotFound)
                {
                    Remember(mine = await WriteDocumentAsync(document, cancellationToken));
                    continue;
                }

                // PreconditionFailed: a later write replaced this one, and its writer takes the key.
                if (fenced.Succeeded)
                {
                    mine = mine with { ETag = fenced.ETag! };
                    var swung = await WritePointerAsync(pointer with { PartitionKey = document.PartitionKey, Id = document.Id, ETag = mine.ETag, Lineage = mine.Lineage }, item.ETag, cancellationToken);
                    if (!swung.Succeeded)
                    {
                        continue;
                    }

                    var deleted = await items.DeleteAsync(pointer.PartitionKey, pointer.Id, pointer.ETag, cancellationToken);
                    if (deleted == WriteStatus.Succeeded)
                    {
                        movedFrom = pointer.PartitionKey;
                    }
                    else if (deleted == WriteStatus.NotFound && mine.Lineage is not null && mine.Lineage != origin)
                    {
                        // The key named a document deleted since: this write is its first holder now.
                        var claimed = await WritePointerAsync(pointer with { PartitionKey = document.PartitionKey, Id = document.Id, ETag = mine.ETag, Lineage = mine.Lineage, Origin = mine.Lineage }, swung.ETag, cancellationToken);
                        origin = claimed.Succeeded ? mine.Lineage : origin;
                    }
                }
            }

            var created = origin is not null && createdLineages.Contains(origin);
            return WriteResult.Success(mine.ETag, created, movedFrom, mine.Unchanged);
        }

        void Remember(Written version)
        {
            if (version.Created)
            {
                createdLineages.Add(version.Lineage!);
            }
        }

        Task<WriteResult> WritePointerAsync(Pointer pointer, string? ifMatch, CancellationToken ct) =>
            items.WriteAsync(
                new DocumentWrite(pointerPartition, pointerId, pointer.ToJson(), TimeToLive: document.TimeToLive),
                null,
                ifMatch is null ? WriteCondition.IfNotExists : WriteCondition.IfMatch(ifMatch),
                ct);
    }

    /// <summary>A document as this write left it: its etag and lineage, and whether it created or left it as it was.</summary>
    private sealed record Written(string ETag, string? Lineage, bool Created, bool Unchanged);

    /// <summary>A pointer's data: the key, the document holding it (partition key, id, etag, lineage), and the lineage of its first holder.</summary>
    private sealed record Pointer(string Key, string PartitionKey, string Id, string? ETag, string? Lineage, string? Origin)
    {
        public static Pointer? From(JsonObject data) =>
            (string?)data["key"] is { } key && (string?)data["pk"] is { } partitionKey && (string?)data["id"] is { } id
                ? new(key, partitionKey, id, (string?)data["etag"], (string?)data["lineage"], (string?)data["origin"])
                : null;

        public JsonObject ToJson() => new()
        {
            ["key"] = Key,
            ["pk"] = PartitionKey,
            ["id"] = Id,
            ["etag"] = ETag,
            ["lineage"] = Lineage,
            ["origin"] = Origin,
        };
    }
}
