using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using TokenTally.Storage.Documents;
using CosmosPatch = Microsoft.Azure.Cosmos.PatchOperation;

namespace TokenTally.Storage.Cosmos;

/// <summary>How <see cref="CosmosDocumentStore.GetAsync"/> reads one item.</summary>
public enum CosmosReadMode
{
    /// <summary>A point read (1 RU for 1 KB): the right choice on Cosmos DB.</summary>
    PointRead,

    /// <summary>A partition-scoped query by id, for servers that answer a point read of a missing item with 500.</summary>
    PartitionQuery,
}

/// <summary>
/// The Cosmos DB (NoSQL API) document store. Every container is partitioned on <c>/pk</c>; an item
/// is <c>{ id, pk, rk, ttl, data, h, lineage, touched }</c> (<c>h</c> the content hash; <c>lineage</c> and <c>touched</c> see <see cref="PointWrites"/>).
/// Only point operations, patch, etag preconditions and single-partition queries without ORDER BY or aggregates are
/// used; lookup keys are pointer items written by <see cref="PointWrites"/>.
/// </summary>
public sealed class CosmosDocumentStore(CosmosClient client, string databaseName, CosmosReadMode readMode = CosmosReadMode.PointRead) : IDocumentStore
{
    public const string PartitionKeyPath = "/pk";

    /// <summary>Creates the database and containers (TTL enabled, no default expiry). Needs a key or control-plane rights; in Azure the Bicep template does this.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var database = (await client.CreateDatabaseIfNotExistsAsync(databaseName, cancellationToken: cancellationToken)).Database;
        foreach (var container in Enum.GetValues<DocumentContainer>())
        {
            var properties = new ContainerProperties(DocumentContainerNames.Of(container), PartitionKeyPath) { DefaultTimeToLive = -1 };
            await database.CreateContainerIfNotExistsAsync(properties, cancellationToken: cancellationToken);
        }
    }

    public async Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken) =>
        await ReadItemAsync(Container(container), partitionKey, id, cancellationToken) is { } item ? ToDocument(item) : null;

    private async Task<JsonObject?> ReadItemAsync(Container target, string partitionKey, string id, CancellationToken cancellationToken)
    {
        if (readMode == CosmosReadMode.PartitionQuery)
        {
            var query = new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk AND c.id = @id").WithParameter("@pk", partitionKey).WithParameter("@id", id);
            await foreach (var item in QueryItemsAsync(target, partitionKey, query, cancellationToken))
            {
                return item;
            }

            return null;
        }

        using var response = await target.ReadItemStreamAsync(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response, "read");
        return await JsonNode.ParseAsync(response.Content, cancellationToken: cancellationToken) as JsonObject
            ?? throw new InvalidDataException("Cosmos DB returned an item that is not a JSON object.");
    }

    /// <summary>
    /// Writes with a lookup key or content hash follow <see cref="PointWrites"/> (read, then create or replace by etag, then the
    /// pointer); a writer that stops between its document and the pointer leaves a second document holding the key until the
    /// key is written again.
    /// </summary>
    public Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken) =>
        new PointWrites(new PointOperations(this, Container(container))).UpsertAsync(document, condition, cancellationToken);

    /// <summary>
    /// Cosmos DB reads by id only within a partition, so a lookup key is a small pointer item in one of 64 partitions
    /// (by a hash of the key), written after the document with the same time to live.
    /// </summary>
    public Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken) =>
        PointWrites.FindByLookupKeyAsync(lookupKey, (partitionKey, id) => GetAsync(container, partitionKey, id, cancellationToken));

    /// <summary>
    /// Point writes in parallel (transactional batch and bulk mode are beyond what the Cosmos test server runs), in order for
    /// writes that share a lookup key; see <see cref="UpsertAsync"/>.
    /// </summary>
    public Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return new PointWrites(new PointOperations(this, Container(container))).UpsertManyAsync(documents, cancellationToken);
    }

    public async Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<Documents.PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken)
    {
        JsonPatchApplier.Validate(operations);
        var cosmosOperations = operations.Select(ToCosmosPatch).ToList();

        // The content hash described the data before the patch; when the patch has no room left for forgetting it, a second one does.
        var forgetsHash = cosmosOperations.Count < Documents.PatchOperation.MaxOperationsPerPatch;
        if (forgetsHash)
        {
            cosmosOperations.Add(CosmosPatch.Set<string?>("/" + HashProperty, null));
        }

        var result = await PatchItemAsync(container, partitionKey, id, cosmosOperations, ifMatch, cancellationToken);
        return forgetsHash || !result.Succeeded
            ? result
            : await PatchItemAsync(container, partitionKey, id, [CosmosPatch.Set<string?>("/" + HashProperty, null)], result.ETag, cancellationToken) is { Succeeded: true } forgotten
                ? forgotten
                : result;
    }

    private async Task<WriteResult> PatchItemAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<CosmosPatch> operations, string? ifMatch, CancellationToken cancellationToken)
    {
        using var response = await Container(container).PatchItemStreamAsync(
            id, new PartitionKey(partitionKey), operations, new PatchItemRequestOptions { IfMatchEtag = ifMatch }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            throw new ArgumentException($"Cosmos DB rejected the patch of '{id}': {response.ErrorMessage}");
        }

        return ToWriteResult(response, "patch");
    }

    public async Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        using var response = await Container(container).DeleteItemStreamAsync(
            id, new PartitionKey(partitionKey), new ItemRequestOptions { IfMatchEtag = ifMatch }, cancellationToken);
        return ToWriteResult(response, "delete");
    }

    public IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        var sql = "SELECT * FROM c WHERE c.pk = @pk"
            + (range.From is null ? string.Empty : " AND c.rk >= @from")
            + (range.To is null ? string.Empty : " AND c.rk < @to");
        var query = new QueryDefinition(sql).WithParameter("@pk", partitionKey);
        if (range.From is not null)
        {
            query = query.WithParameter("@from", range.From);
        }

        if (range.To is not null)
        {
            query = query.WithParameter("@to", range.To);
        }

        return QueryAsync(Container(container), partitionKey, query, cancellationToken);
    }

    private async IAsyncEnumerable<StoredDocument> QueryAsync(Container target, string partitionKey, QueryDefinition query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in QueryItemsAsync(target, partitionKey, query, cancellationToken))
        {
            yield return ToDocument(item);
        }
    }

    private static async IAsyncEnumerable<JsonObject> QueryItemsAsync(Container target, string partitionKey, QueryDefinition query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var iterator = target.GetItemQueryStreamIterator(
            query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey), MaxItemCount = 1000 });
        while (iterator.HasMoreResults)
        {
            using var page = await iterator.ReadNextAsync(cancellationToken);
            EnsureSuccess(page, "query");
            var json = await JsonNode.ParseAsync(page.Content, cancellationToken: cancellationToken);
            foreach (var item in json?["Documents"]?.AsArray() ?? throw new InvalidDataException("Cosmos DB returned a query page without documents."))
            {
                yield return item as JsonObject ?? throw new InvalidDataException("Cosmos DB returned an item that is not a JSON object.");
            }
        }
    }

    private Container Container(DocumentContainer container) => client.GetContainer(databaseName, DocumentContainerNames.Of(container));

    private static MemoryStream ToItem(DocumentWrite document, string? lineage)
    {
        ArgumentException.ThrowIfNullOrEmpty(document.PartitionKey);
        ArgumentException.ThrowIfNullOrEmpty(document.Id);
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("id", document.Id);
            writer.WriteString("pk", document.PartitionKey);
            if (document.RangeKey is { } rangeKey)
            {
                writer.WriteString("rk", rangeKey);
            }
            else
            {
                writer.WriteNull("rk");
            }

            writer.WritePropertyName("data");
            writer.WriteRawValue(document.DataJson);
            if (document.TimeToLive is { } ttl)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(document));
                writer.WriteNumber("ttl", (long)Math.Ceiling(ttl.TotalSeconds));
            }

            if (document.ContentHash is { } hash)
            {
                writer.WriteString(HashProperty, hash);
            }

            if (lineage is not null)
            {
                writer.WriteString(LineageProperty, lineage);
            }

            writer.WriteEndObject();
        }

        stream.Position = 0;
        return stream;
    }

    private static StoredDocument ToDocument(JsonObject item) =>
        new(
            PartitionKey: (string?)item["pk"] ?? throw new InvalidDataException("Cosmos DB item has no pk."),
            Id: (string?)item["id"] ?? throw new InvalidDataException("Cosmos DB item has no id."),
            RangeKey: (string?)item["rk"],
            Data: item["data"]?.DeepClone() as JsonObject ?? [],
            ETag: (string?)item["_etag"] ?? string.Empty,
            TimeToLive: item["ttl"] is JsonValue ttl && ttl.TryGetValue<long>(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null);

    private static CosmosPatch ToCosmosPatch(Documents.PatchOperation operation)
    {
        var path = "/data" + operation.Path;
        return operation switch
        {
            Documents.PatchOperation.SetOperation set => CosmosPatch.Set(path, ToNewtonsoft(set.Value)),
            Documents.PatchOperation.IncrementOperation increment => CosmosPatch.Increment(path, increment.By),
            Documents.PatchOperation.RemoveOperation => CosmosPatch.Remove(path),
            _ => throw new ArgumentException($"Unknown patch operation {operation.GetType().Name}."),
        };
    }

    // The SDK serializes patch values with Newtonsoft.Json, which does not understand System.Text.Json nodes.
    private static Newtonsoft.Json.Linq.JToken? ToNewtonsoft(JsonNode? value) =>
        value is null ? Newtonsoft.Json.Linq.JValue.CreateNull() : Newtonsoft.Json.Linq.JToken.Parse(value.ToJsonString());

    private static WriteResult ToWriteResult(ResponseMessage response, string operation) => response.StatusCode switch
    {
        HttpStatusCode.Created => WriteResult.Success(response.Headers.ETag ?? string.Empty, created: true),
        HttpStatusCode.OK or HttpStatusCode.NoContent => WriteResult.Success(response.Headers.ETag ?? string.Empty),
        HttpStatusCode.PreconditionFailed => WriteResult.Failed(WriteStatus.PreconditionFailed),
        HttpStatusCode.Conflict => WriteResult.Failed(WriteStatus.Conflict),
        HttpStatusCode.NotFound => WriteResult.Failed(WriteStatus.NotFound),
        _ => throw Failure(response, operation),
    };

    private static void EnsureSuccess(ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, operation);
        }
    }

    private static CosmosStoreException Failure(ResponseMessage response, string operation) =>
        new($"Cosmos DB {operation} failed with {(int)response.StatusCode} {response.StatusCode}: {response.ErrorMessage}", response.StatusCode);

    private const string HashProperty = "h";
    private const string LineageProperty = "lineage";
    private const string TouchProperty = "touched";

    /// <summary>The point operations of one container, for <see cref="PointWrites"/>.</summary>
    private sealed class PointOperations(CosmosDocumentStore store, Container target) : IPointOperations
    {
        public async Task<PointItem?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) =>
            await store.ReadItemAsync(target, partitionKey, id, cancellationToken) is { } item
                ? new PointItem((string?)item["_etag"] ?? string.Empty, (string?)item[HashProperty], (string?)item[LineageProperty], item["data"] as JsonObject ?? [])
                : null;

        public async Task<WriteResult> WriteAsync(DocumentWrite item, string? lineage, WriteCondition condition, CancellationToken cancellationToken)
        {
            using var body = ToItem(item, lineage);
            var key = new PartitionKey(item.PartitionKey);
            using var response = condition switch
            {
                WriteCondition.Absent => await target.CreateItemStreamAsync(body, key, cancellationToken: cancellationToken),
                WriteCondition.Matching m => await target.ReplaceItemStreamAsync(body, item.Id, key, new ItemRequestOptions { IfMatchEtag = m.ETag }, cancellationToken),
                _ => await target.UpsertItemStreamAsync(body, key, cancellationToken: cancellationToken),
            };
            return ToWriteResult(response, "write");
        }

        public async Task<WriteResult> TouchAsync(string partitionKey, string id, string ifMatch, CancellationToken cancellationToken)
        {
            using var response = await target.PatchItemStreamAsync(
                id, new PartitionKey(partitionKey), [CosmosPatch.Increment("/" + TouchProperty, 1)], new PatchItemRequestOptions { IfMatchEtag = ifMatch }, cancellationToken);
            return ToWriteResult(response, "touch");
        }

        public async Task<WriteStatus> DeleteAsync(string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken)
        {
            using var response = await target.DeleteItemStreamAsync(id, new PartitionKey(partitionKey), new ItemRequestOptions { IfMatchEtag = ifMatch }, cancellationToken);
            return ToWriteResult(response, "delete").Status;
        }
    }
}

/// <summary>A Cosmos DB answer that is neither success nor an expected precondition result.</summary>
public sealed class CosmosStoreException(string message, HttpStatusCode statusCode) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
}
