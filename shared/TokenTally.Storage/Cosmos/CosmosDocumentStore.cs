using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
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
/// is <c>{ id, pk, rk, ttl, data }</c>. Only point operations, patch, etag preconditions and
/// single-partition queries without ORDER BY or aggregates are used.
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

    public async Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken)
    {
        if (readMode == CosmosReadMode.PartitionQuery)
        {
            var query = new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk AND c.id = @id").WithParameter("@pk", partitionKey).WithParameter("@id", id);
            await foreach (var document in QueryAsync(container, partitionKey, query, cancellationToken))
            {
                return document;
            }

            return null;
        }

        using var response = await Container(container).ReadItemStreamAsync(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response, "read");
        return ToDocument(await JsonNode.ParseAsync(response.Content, cancellationToken: cancellationToken) as JsonObject);
    }

    public Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken) =>
        UpsertAsync(container, document, condition, writesLookupKey: true, cancellationToken);

    private async Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, bool writesLookupKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(condition);
        using var body = ToItem(document);
        var target = Container(container);
        var key = new PartitionKey(document.PartitionKey);
        using var response = condition switch
        {
            WriteCondition.Absent => await target.CreateItemStreamAsync(body, key, cancellationToken: cancellationToken),
            WriteCondition.Matching m => await target.ReplaceItemStreamAsync(body, document.Id, key, new ItemRequestOptions { IfMatchEtag = m.ETag }, cancellationToken),
            _ => await target.UpsertItemStreamAsync(body, key, cancellationToken: cancellationToken),
        };
        var result = ToWriteResult(response, "upsert");
        if (result.Succeeded && writesLookupKey && document.LookupKey is { } lookupKey)
        {
            await WriteLookupPointerAsync(target, document, lookupKey, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Cosmos DB reads by id only within a partition, so a lookup key is a small pointer item in one of 64 partitions
    /// (by a hash of the key), written after the document with the same time to live.
    /// </summary>
    public async Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(lookupKey);
        var pointer = await GetAsync(container, LookupPartition(lookupKey), LookupId(lookupKey), cancellationToken);
        if (pointer is null || (string?)pointer.Data["key"] != lookupKey || (string?)pointer.Data["pk"] is not { } partitionKey || (string?)pointer.Data["id"] is not { } id)
        {
            return null;
        }

        return await GetAsync(container, partitionKey, id, cancellationToken);
    }

    private static async Task WriteLookupPointerAsync(Container target, DocumentWrite document, string lookupKey, CancellationToken cancellationToken)
    {
        var pointer = new DocumentWrite(
            LookupPartition(lookupKey),
            LookupId(lookupKey),
            new JsonObject { ["key"] = lookupKey, ["pk"] = document.PartitionKey, ["id"] = document.Id },
            TimeToLive: document.TimeToLive);
        using var body = ToItem(pointer);
        using var response = await target.UpsertItemStreamAsync(body, new PartitionKey(pointer.PartitionKey), cancellationToken: cancellationToken);
        EnsureSuccess(response, "upsert lookup pointer");
    }

    private static string LookupPartition(string lookupKey)
    {
        var hash = 2166136261u;
        foreach (var c in lookupKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return $"lookup|{hash % 64:x2}";
    }

    // Item ids may not hold '/', '\\', '?' or '#' and are at most 255 characters; a hash of the key is neither.
    private static string LookupId(string lookupKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lookupKey)));

    public async Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var results = new WriteResult[documents.Count];

        // Decided before the writes below, which run in parallel.
        var writesLookupKey = DocumentWrite.TakeLookupKeys(documents);

        // Point upserts in parallel: transactional batch and bulk mode are beyond what the Cosmos test server runs.
        await Parallel.ForEachAsync(Enumerable.Range(0, documents.Count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (i, ct) =>
            results[i] = await UpsertAsync(container, documents[i], WriteCondition.None, writesLookupKey[i], ct));
        return results;
    }

    public async Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<Documents.PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken)
    {
        JsonPatchApplier.Validate(operations);
        var cosmosOperations = operations.Select(ToCosmosPatch).ToList();
        using var response = await Container(container).PatchItemStreamAsync(
            id, new PartitionKey(partitionKey), cosmosOperations, new PatchItemRequestOptions { IfMatchEtag = ifMatch }, cancellationToken);
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

        return QueryAsync(container, partitionKey, query, cancellationToken);
    }

    private async IAsyncEnumerable<StoredDocument> QueryAsync(DocumentContainer container, string partitionKey, QueryDefinition query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var iterator = Container(container).GetItemQueryStreamIterator(
            query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey), MaxItemCount = 1000 });
        while (iterator.HasMoreResults)
        {
            using var page = await iterator.ReadNextAsync(cancellationToken);
            EnsureSuccess(page, "query");
            using var json = await JsonDocument.ParseAsync(page.Content, cancellationToken: cancellationToken);
            foreach (var item in json.RootElement.GetProperty("Documents").EnumerateArray())
            {
                yield return ToDocument(JsonObject.Create(item));
            }
        }
    }

    private Container Container(DocumentContainer container) => client.GetContainer(databaseName, DocumentContainerNames.Of(container));

    private static MemoryStream ToItem(DocumentWrite document)
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

            writer.WriteEndObject();
        }

        stream.Position = 0;
        return stream;
    }

    private static StoredDocument ToDocument(JsonObject? item)
    {
        if (item is null)
        {
            throw new InvalidDataException("Cosmos DB returned an item that is not a JSON object.");
        }

        return new StoredDocument(
            PartitionKey: (string?)item["pk"] ?? throw new InvalidDataException("Cosmos DB item has no pk."),
            Id: (string?)item["id"] ?? throw new InvalidDataException("Cosmos DB item has no id."),
            RangeKey: (string?)item["rk"],
            Data: item["data"]?.DeepClone() as JsonObject ?? [],
            ETag: (string?)item["_etag"] ?? string.Empty,
            TimeToLive: item["ttl"] is JsonValue ttl && ttl.TryGetValue<long>(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null);
    }

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
}

/// <summary>A Cosmos DB answer that is neither success nor an expected precondition result.</summary>
public sealed class CosmosStoreException(string message, HttpStatusCode statusCode) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
}
