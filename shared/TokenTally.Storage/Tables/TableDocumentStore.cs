using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using TokenTally.Storage.Documents;
using static TokenTally.Storage.Tables.TableEntityCodec;

namespace TokenTally.Storage.Tables;

/// <summary>
/// The document port on Azure Table Storage: one table per container, a document is an entity (partition key, id as row
/// key), its range key a property that partition queries filter on. Unconditional writes follow <see cref="PointWrites"/>;
/// batches of new documents go as entity group transactions. The service has no TTL: an expired entity is hidden from
/// reads and deleted by <see cref="PurgeExpiredAsync"/>, partition by partition as the <see cref="ExpiryRegistry"/> names them.
/// </summary>
public sealed class TableDocumentStore(TableServiceClient service, TimeProvider time, string tablePrefix = "") : IDocumentStore, IExpiringDocumentStore
{
    /// <summary>The table of the <see cref="ExpiryRegistry"/>, beside one per container.</summary>
    public const string ExpiryTable = "expiry";

    private readonly ExpiryRegistry _expiry = new(service.GetTableClient(tablePrefix + ExpiryTable));

    /// <summary>An entity group transaction holds at most 100 operations on one partition.</summary>
    public const int MaxBatchOperations = 100;

    /// <summary>The service takes a transaction of at most 4 MiB; this leaves room for the request's own framing.</summary>
    private const int MaxBatchBytes = 3 * 1024 * 1024;

    private DateTimeOffset Now => time.GetUtcNow();

    public TableClient Table(DocumentContainer container) => service.GetTableClient(tablePrefix + DocumentContainerNames.Of(container));

    /// <summary>Creates every container's table (in Azure the deployment creates them).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (var container in Enum.GetValues<DocumentContainer>())
        {
            await Table(container).CreateIfNotExistsAsync(cancellationToken);
        }

        await _expiry.Table.CreateIfNotExistsAsync(cancellationToken);
    }

    public async Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken) =>
        await ReadEntityAsync(Table(container), partitionKey, id, cancellationToken) is { } entity ? ToDocument(entity) : null;

    public Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken) =>
        PointWrites.FindByLookupKeyAsync(lookupKey, (partitionKey, id) => GetAsync(container, partitionKey, id, cancellationToken));

    public Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken) =>
        new PointWrites(new PointOperations(this, container, registered: false)).UpsertAsync(document, condition, cancellationToken);

    /// <summary>
    /// New documents go in entity group transactions (one partition, at most 100 and 4 MiB each), and so do the pointers of
    /// their lookup keys: a batch of new calls costs a few transactions, not four requests per call. A transaction that
    /// fails because one of its entities exists falls back to <see cref="PointWrites"/> for each of its documents. Every
    /// document is encoded before anything is written, so one that does not fit fails the call and writes nothing.
    /// </summary>
    public async Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var now = Now;
        var lineages = documents.Select(d => d.LookupKey is null ? null : Guid.NewGuid().ToString("N")).ToArray();
        var entities = documents.Select((d, i) => ToEntity(container, d, lineages[i], now)).ToArray();
        await _expiry.RegisterAsync(container, entities, cancellationToken);
        var writes = new PointWrites(new PointOperations(this, container, registered: true));
        var repeats = documents.Select(d => d.LookupKey).OfType<string>().Distinct(StringComparer.Ordinal).Count() < documents.Count(d => d.LookupKey is not null)
            || documents.Select(d => (d.PartitionKey, d.Id)).Distinct().Count() < documents.Count;
        if (repeats)
        {
            // Writes that share a lookup key or a document must apply in order, which one transaction per partition does not give.
            return await writes.UpsertManyAsync(documents, cancellationToken);
        }

        var results = new WriteResult[documents.Count];
        var created = new string?[documents.Count];
        var table = Table(container);
        await ForEachBatchAsync(Enumerable.Range(0, documents.Count), i => entities[i], async (batch, ct) =>
        {
            if (await TryAddAllAsync(table, batch.Select(i => entities[i]).ToList(), ct) is { } etags)
            {
                for (var k = 0; k < batch.Count; k++)
                {
                    created[batch[k]] = etags[k];
                }

                return;
            }

            foreach (var i in batch)
            {
                results[i] = await writes.UpsertAsync(documents[i], ct);
            }
        }, cancellationToken);

        var pointers = Enumerable.Range(0, documents.Count).Where(i => created[i] is not null && documents[i].LookupKey is not null).ToList();
        var pointerEntities = pointers.ToDictionary(i => i, i => ToEntity(container, PointWrites.FirstPointer(documents[i], created[i]!, lineages[i]!), null, now));
        await ForEachBatchAsync(pointers, i => pointerEntities[i], async (batch, ct) =>
        {
            if (await TryAddAllAsync(table, batch.Select(i => pointerEntities[i]).ToList(), ct) is not null)
            {
                foreach (var i in batch)
                {
                    results[i] = WriteResult.Success(created[i]!, created: true);
                }

                return;
            }

            foreach (var i in batch)
            {
                results[i] = await writes.TakeLookupKeyOfCreatedAsync(documents[i], created[i]!, lineages[i]!, ct);
            }
        }, cancellationToken);

        for (var i = 0; i < documents.Count; i++)
        {
            results[i] ??= WriteResult.Success(created[i]!, created: true);
        }

        return results;
    }

    /// <summary>Read, apply, replace under the etag: Table Storage has no partial update of a property's JSON.</summary>
    public async Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<Documents.PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken)
    {
        JsonPatchApplier.Validate(operations);
        var table = Table(container);
        while (true)
        {
            var entity = await ReadEntityAsync(table, partitionKey, id, cancellationToken);
            if (entity is null)
            {
                return WriteResult.Failed(WriteStatus.NotFound);
            }

            if (ifMatch is not null && entity.ETag.ToString() != ifMatch)
            {
                return WriteResult.Failed(WriteStatus.PreconditionFailed);
            }

            var data = JsonNode.Parse(DataOf(entity)) as JsonObject ?? [];
            var patched = new DocumentWrite(partitionKey, id, JsonPatchApplier.Apply(data, operations), entity.GetString(RangeKey),
                entity.GetInt64(TimeToLive) is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
            var result = await new PointOperations(this, container, registered: false).WriteAsync(patched, entity.GetString(Lineage), WriteCondition.IfMatch(entity.ETag.ToString()), cancellationToken);
            if (result.Succeeded || ifMatch is not null)
            {
                return result;
            }
        }
    }

    public async Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        var status = await DeleteEntityAsync(Table(container), EncodeKey(partitionKey), EncodeKey(id), ifMatch is null ? ETag.All : new ETag(ifMatch), cancellationToken);
        return status == WriteStatus.Succeeded ? WriteResult.Success(string.Empty) : WriteResult.Failed(status);
    }

    public IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {EncodeKey(partitionKey)}");
        if (range.From is { } from)
        {
            filter += " and " + TableClient.CreateQueryFilter($"rk ge {from}");
        }

        if (range.To is { } to)
        {
            filter += " and " + TableClient.CreateQueryFilter($"rk lt {to}");
        }

        return QueryAsync(Table(container), filter, cancellationToken);
    }

    /// <summary>
    /// Deletes the expired documents of every partition the <see cref="ExpiryRegistry"/> names for the hours gone by, in
    /// transactions of up to 100, each under the etag it was read with (a document rewritten meanwhile stays), and the pointer
    /// of each one's lookup key when it still names it. Returns how many documents and pointers it deleted.
    /// </summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var purged = 0;
        foreach (var container in Enum.GetValues<DocumentContainer>())
        {
            var table = Table(container);
            await foreach (var row in _expiry.DueAsync(container, now, cancellationToken))
            {
                purged += await PurgePartitionAsync(table, row.RowKey, now, cancellationToken);
                await _expiry.RemoveAsync(row, cancellationToken);
            }
        }

        return purged;
    }

    private async Task<int> PurgePartitionAsync(TableClient table, string encodedPartitionKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {encodedPartitionKey} and exp le {now}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey", LookupKey], cancellationToken: cancellationToken))
        {
            expired.Add(entity);
        }

        var deleted = new List<TableEntity>();
        foreach (var batch in expired.Chunk(MaxBatchOperations))
        {
            deleted.AddRange(await DeleteBatchAsync(table, batch, cancellationToken));
        }

        var pointers = new List<TableEntity>();
        foreach (var document in deleted.Where(d => d.GetString(LookupKey) is not null))
        {
            if (await PointerNamingAsync(table, document, cancellationToken) is { } pointer)
            {
                pointers.Add(pointer);
            }
        }

        var pointersDeleted = 0;
        foreach (var batch in pointers.GroupBy(p => p.PartitionKey, StringComparer.Ordinal).SelectMany(partition => partition.Chunk(MaxBatchOperations)))
        {
            pointersDeleted += (await DeleteBatchAsync(table, batch, cancellationToken)).Count;
        }

        return deleted.Count + pointersDeleted;
    }

    /// <summary>The pointer of <paramref name="document"/>'s lookup key if it still names the document (not a later holder of the key); null otherwise.</summary>
    private async Task<TableEntity?> PointerNamingAsync(TableClient table, TableEntity document, CancellationToken cancellationToken)
    {
        var key = document.GetString(LookupKey)!;
        var (partitionKey, id) = PointWrites.PointerOf(key);
        var pointer = await ReadEntityAsync(table, partitionKey, id, cancellationToken, includeExpired: true);
        return pointer is not null
            && JsonNode.Parse(DataOf(pointer)) is JsonObject data
            && PointWrites.Target(data, key) == (DecodeKey(document.PartitionKey), DecodeKey(document.RowKey))
                ? pointer
                : null;
    }

    /// <summary>Deletes a batch of one partition under each entity's etag; returns those it deleted.</summary>
    private static async Task<IReadOnlyList<TableEntity>> DeleteBatchAsync(TableClient table, IReadOnlyList<TableEntity> batch, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, e.ETag)), cancellationToken);
            return batch;
        }
        catch (TableTransactionFailedException e) when (e.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.PreconditionFailed)
        {
            var deleted = new List<TableEntity>();
            foreach (var entity in batch)
            {
                if (await DeleteEntityAsync(table, entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken) == WriteStatus.Succeeded)
                {
                    deleted.Add(entity);
                }
            }

            return deleted;
        }
    }

    private async IAsyncEnumerable<StoredDocument> QueryAsync(TableClient table, string filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pages = table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken);
        await using var entities = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await entities.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                throw MissingTable(table, e);
            }

            if (!IsExpired(entities.Current, now))
            {
                yield return ToDocument(entities.Current);
            }
        }
    }

    private async Task<TableEntity?> ReadEntityAsync(TableClient table, string partitionKey, string id, CancellationToken cancellationToken, bool includeExpired = false)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(EncodeKey(partitionKey), EncodeKey(id), cancellationToken: cancellationToken);

        // The SDK answers a missing table like a missing entity; the service's error code tells them apart.
        if (!response.HasValue && response.GetRawResponse().Headers.TryGetValue("x-ms-error-code", out var code) && code == "TableNotFound")
        {
            throw MissingTable(table, new RequestFailedException(response.GetRawResponse()));
        }

        return response.HasValue && (includeExpired || !IsExpired(response.Value!, time.GetUtcNow())) ? response.Value : null;
    }

    /// <summary>Adds every entity in one transaction; their etags, or null when one of them exists already (nothing was written).</summary>
    private static async Task<string[]?> TryAddAllAsync(TableClient table, IReadOnlyList<TableEntity> entities, CancellationToken cancellationToken)
    {
        try
        {
            var responses = await table.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);
            return responses.Value.Select(r => r.Headers.ETag?.ToString() ?? string.Empty).ToArray();
        }
        catch (TableTransactionFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    /// <summary>Runs <paramref name="action"/> on transactions' worth of items: one partition each, within the count and size limits.</summary>
    private static Task ForEachBatchAsync(IEnumerable<int> items, Func<int, TableEntity> entityOf, Func<IReadOnlyList<int>, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        var batches = new List<List<int>>();
        foreach (var partition in items.GroupBy(i => entityOf(i).PartitionKey, StringComparer.Ordinal))
        {
            var batch = new List<int>();
            var bytes = 0;
            foreach (var i in partition)
            {
                var size = SizeOf(entityOf(i));
                if (batch.Count == MaxBatchOperations || (batch.Count > 0 && bytes + size > MaxBatchBytes))
                {
                    batches.Add(batch);
                    (batch, bytes) = ([], 0);
                }

                batch.Add(i);
                bytes += size;
            }

            batches.Add(batch);
        }

        return Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, (batch, ct) => new ValueTask(action(batch, ct)));
    }

    private static async Task<WriteStatus> DeleteEntityAsync(TableClient table, string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.DeleteEntityAsync(partitionKey, rowKey, ifMatch, cancellationToken);
            return response.Status == (int)HttpStatusCode.NotFound ? WriteStatus.NotFound : WriteStatus.Succeeded;
        }
        catch (RequestFailedException e)
        {
            return StatusOf(e) ?? throw Failure(table, "delete", e);
        }
    }

    private static WriteStatus? StatusOf(RequestFailedException e) => e.Status switch
    {
        (int)HttpStatusCode.PreconditionFailed => WriteStatus.PreconditionFailed,
        (int)HttpStatusCode.Conflict => WriteStatus.Conflict,
        (int)HttpStatusCode.NotFound when e.ErrorCode != "TableNotFound" => WriteStatus.NotFound,
        _ => null,
    };

    internal static TableStoreException MissingTable(TableClient table, RequestFailedException e) =>
        new($"Table '{table.Name}' does not exist: the deployment creates it, or set TokenTally:Storage:CreateTablesIfNotExists.", e);

    private static TableStoreException Failure(TableClient table, string operation, RequestFailedException e) =>
        e.ErrorCode == "TableNotFound" ? MissingTable(table, e) : new($"Table Storage {operation} in '{table.Name}' failed with {e.Status} {e.ErrorCode}.", e);

    /// <summary>The point operations of one table, for <see cref="PointWrites"/>.</summary>
    /// <param name="store">The store whose table and expiry registry they use.</param>
    /// <param name="container">The container whose table they act on.</param>
    /// <param name="registered">Whether the writes' expiring partitions are in the <see cref="ExpiryRegistry"/> already (a batch registers them up front).</param>
    private sealed class PointOperations(TableDocumentStore store, DocumentContainer container, bool registered) : IPointOperations
    {
        private readonly TableClient _table = store.Table(container);

        public async Task<PointItem?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) =>
            await store.ReadEntityAsync(_table, partitionKey, id, cancellationToken) is { } entity
                ? new PointItem(entity.ETag.ToString(), entity.GetString(Hash), entity.GetString(Lineage), JsonNode.Parse(DataOf(entity)) as JsonObject ?? [])
                : null;

        public async Task<WriteResult> WriteAsync(DocumentWrite item, string? lineage, WriteCondition condition, CancellationToken cancellationToken)
        {
            var entity = ToEntity(container, item, lineage, store.Now);
            if (!registered)
            {
                await store._expiry.RegisterAsync(container, [entity], cancellationToken);
            }

            try
            {
                switch (condition)
                {
                    case WriteCondition.Matching m:
                        return await ReplaceAsync(entity, new ETag(m.ETag), cancellationToken);
                    case WriteCondition.Absent:
                        return await AddAsync(entity, cancellationToken);
                    default:
                        var added = await AddAsync(entity, cancellationToken);
                        return added.Succeeded ? added : WriteResult.Success(ETagOf(await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)));
                }
            }
            catch (RequestFailedException e)
            {
                return WriteResult.Failed(StatusOf(e) ?? throw Failure(_table, "write", e));
            }
        }

        public async Task<WriteResult> TouchAsync(string partitionKey, string id, string ifMatch, CancellationToken cancellationToken)
        {
            var touch = new TableEntity(EncodeKey(partitionKey), EncodeKey(id)) { [Touched] = store.Now.UtcTicks };
            try
            {
                return WriteResult.Success(ETagOf(await _table.UpdateEntityAsync(touch, new ETag(ifMatch), TableUpdateMode.Merge, cancellationToken)));
            }
            catch (RequestFailedException e)
            {
                return WriteResult.Failed(StatusOf(e) ?? throw Failure(_table, "touch", e));
            }
        }

        public Task<WriteStatus> DeleteAsync(string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken) =>
            DeleteEntityAsync(_table, EncodeKey(partitionKey), EncodeKey(id), ifMatch is null ? ETag.All : new ETag(ifMatch), cancellationToken);

        /// <summary>A create; an expired entity in the way counts as absent and is replaced under its etag.</summary>
        private async Task<WriteResult> AddAsync(TableEntity entity, CancellationToken cancellationToken)
        {
            try
            {
                return WriteResult.Success(ETagOf(await _table.AddEntityAsync(entity, cancellationToken)), created: true);
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
            {
                var existing = await store.ReadEntityAsync(_table, DecodeKey(entity.PartitionKey), DecodeKey(entity.RowKey), cancellationToken, includeExpired: true);
                if (existing is null || !IsExpired(existing, store.Now))
                {
                    return WriteResult.Failed(WriteStatus.Conflict);
                }

                var replaced = await ReplaceAsync(entity, existing.ETag, cancellationToken);
                return replaced.Succeeded ? replaced with { Created = true } : WriteResult.Failed(WriteStatus.Conflict);
            }
        }

        /// <summary>A replace under an etag; an etag the service cannot parse (400) matches nothing.</summary>
        private async Task<WriteResult> ReplaceAsync(TableEntity entity, ETag ifMatch, CancellationToken cancellationToken)
        {
            try
            {
                return WriteResult.Success(ETagOf(await _table.UpdateEntityAsync(entity, ifMatch, TableUpdateMode.Replace, cancellationToken)));
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.BadRequest && e.ErrorCode == "InvalidInput")
            {
                var exists = await store.ReadEntityAsync(_table, DecodeKey(entity.PartitionKey), DecodeKey(entity.RowKey), cancellationToken) is not null;
                return WriteResult.Failed(exists ? WriteStatus.PreconditionFailed : WriteStatus.NotFound);
            }
            catch (RequestFailedException e)
            {
                return WriteResult.Failed(StatusOf(e) ?? throw Failure(_table, "write", e));
            }
        }

        private static string ETagOf(Response response) => response.Headers.ETag?.ToString() ?? string.Empty;
    }
}

/// <summary>A Table Storage answer that is neither success nor an expected precondition result.</summary>
public sealed class TableStoreException(string message, RequestFailedException inner) : Exception(message, inner)
{
    public int Status { get; } = inner.Status;
}
