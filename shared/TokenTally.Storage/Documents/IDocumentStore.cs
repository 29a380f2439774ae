namespace TokenTally.Storage.Documents;

/// <summary>
/// The document port. Deliberately small: point operations, etag concurrency, patch and a
/// range-filtered read of one partition. No ORDER BY, aggregates or cross-partition queries:
/// callers sort and aggregate in code.
/// </summary>
public interface IDocumentStore
{
    /// <summary>Reads one document; null when it does not exist or has expired.</summary>
    Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the one document that holds <paramref name="lookupKey"/> as its <see cref="DocumentWrite.LookupKey"/> (the one
    /// last written with it), whatever its partition; null when there is none or it has expired or been deleted.
    /// </summary>
    Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces a document under <paramref name="condition"/>. With <see cref="WriteCondition.None"/> it is a
    /// one-document <see cref="UpsertManyAsync"/>. A document with equal <see cref="DocumentWrite.ContentHash"/> is left
    /// as it is when the condition holds (<see cref="WriteResult.Unchanged"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The write has a <see cref="DocumentWrite.LookupKey"/> and a condition other than <see cref="WriteCondition.None"/>.</exception>
    Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces many documents without preconditions, as one unit where the backend can (SQLite: one
    /// transaction). Writes apply in order, as if written one after the other: a write whose lookup key another document
    /// holds deletes that document (<see cref="WriteResult.MovedFrom"/>), and a write whose content hash equals the stored
    /// one writes nothing (<see cref="WriteResult.Unchanged"/>). Each result says whether the write created the document.
    /// </summary>
    Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken);

    /// <summary>Applies up to <see cref="PatchOperation.MaxOperationsPerPatch"/> operations atomically.</summary>
    Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes a document; <see cref="WriteStatus.NotFound"/> when there was none.</summary>
    Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Streams the documents of one partition whose range key lies in <paramref name="range"/>, in no particular order.</summary>
    IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, CancellationToken cancellationToken);
}
