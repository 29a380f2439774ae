namespace TokenTally.Storage.Documents;

/// <summary>The document port over several stores: each container lives in the one it is placed in (the ledger in Tables, traces in Cosmos DB).</summary>
public sealed class PlacedDocumentStore(IReadOnlyDictionary<DocumentContainer, IDocumentStore> placement) : IDocumentStore
{
    public IDocumentStore StoreOf(DocumentContainer container) =>
        placement.TryGetValue(container, out var store) ? store : throw new InvalidOperationException($"No store holds the {DocumentContainerNames.Of(container)} container.");

    public Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken) =>
        StoreOf(container).GetAsync(container, partitionKey, id, cancellationToken);

    public Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken) =>
        StoreOf(container).FindByLookupKeyAsync(container, lookupKey, cancellationToken);

    public Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken) =>
        StoreOf(container).UpsertAsync(container, document, condition, cancellationToken);

    public Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken) =>
        StoreOf(container).UpsertManyAsync(container, documents, cancellationToken);

    public Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken) =>
        StoreOf(container).PatchAsync(container, partitionKey, id, operations, ifMatch, cancellationToken);

    public Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken) =>
        StoreOf(container).DeleteAsync(container, partitionKey, id, ifMatch, cancellationToken);

    public IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, CancellationToken cancellationToken) =>
        StoreOf(container).QueryPartitionAsync(container, partitionKey, range, cancellationToken);
}
