using TokenTally.Storage.Documents;

namespace TokenTally.Testing;

/// <summary>A document store that hands every call to another: fault injection and counting override what they change.</summary>
public abstract class DelegatingDocumentStore(IDocumentStore inner) : IDocumentStore
{
    protected IDocumentStore Inner { get; } = inner;

    public virtual Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken) =>
        Inner.GetAsync(container, partitionKey, id, cancellationToken);

    public virtual Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken) =>
        Inner.FindByLookupKeyAsync(container, lookupKey, cancellationToken);

    public virtual Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken) =>
        Inner.UpsertAsync(container, document, condition, cancellationToken);

    public virtual Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken) =>
        Inner.UpsertManyAsync(container, documents, cancellationToken);

    public virtual Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken) =>
        Inner.PatchAsync(container, partitionKey, id, operations, ifMatch, cancellationToken);

    public virtual Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken) =>
        Inner.DeleteAsync(container, partitionKey, id, ifMatch, cancellationToken);

    public virtual IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, CancellationToken cancellationToken) =>
        Inner.QueryPartitionAsync(container, partitionKey, range, cancellationToken);
}
