using System.Security.Cryptography;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Projects;

/// <summary>
/// One kind of a tenant's configuration documents (budgets, channels) in the config container: partition = the tenant, id
/// and range key = <c>&lt;prefix&gt;&lt;id&gt;</c>, so one range read lists them and nothing else of the partition (its
/// <c>project:…</c> documents have no range key). Writes are conditional on the document's etag.
/// </summary>
public sealed class TenantDocumentSet<T>(IDocumentStore store, string prefix)
    where T : class
{
    private readonly RangeKeyFilter _all = new(prefix, prefix[..^1] + (char)(prefix[^1] + 1));

    /// <summary>A new id: 16 lower-case hex digits.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The id of the document of <paramref name="id"/> in its tenant's partition.</summary>
    public string DocumentId(string id) => prefix + id;

    public async Task<(T Value, string ETag)?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(DocumentContainer.Config, tenant, DocumentId(id), cancellationToken) is { } document ? Read(document) : null;

    /// <summary>Every document of this kind of <paramref name="tenant"/>, in no order.</summary>
    public async Task<IReadOnlyList<(T Value, string ETag)>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        var values = new List<(T, string)>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, tenant, _all, cancellationToken))
        {
            values.Add(Read(document));
        }

        return values;
    }

    /// <summary>Writes a new document; its id must be new (<see cref="WriteStatus.Conflict"/> otherwise).</summary>
    public Task<WriteResult> CreateAsync(string tenant, string id, T value, CancellationToken cancellationToken) =>
        store.UpsertAsync(DocumentContainer.Config, Write(tenant, id, value), WriteCondition.IfNotExists, cancellationToken);

    /// <summary>Replaces a document that still has <paramref name="etag"/>; <see cref="WriteStatus.PreconditionFailed"/> when it changed meanwhile.</summary>
    public Task<WriteResult> ReplaceAsync(string tenant, string id, T value, string etag, CancellationToken cancellationToken) =>
        store.UpsertAsync(DocumentContainer.Config, Write(tenant, id, value), WriteCondition.IfMatch(etag), cancellationToken);

    /// <summary>Deletes a document, if it still has <paramref name="etag"/> when one is given.</summary>
    public Task<WriteResult> DeleteAsync(string tenant, string id, string? etag, CancellationToken cancellationToken) =>
        store.DeleteAsync(DocumentContainer.Config, tenant, DocumentId(id), etag, cancellationToken);

    private DocumentWrite Write(string tenant, string id, T value) =>
        new(tenant, DocumentId(id), JsonSerializer.SerializeToNode(value, TokenTallyJson.Options)!.AsObject(), RangeKey: DocumentId(id));

    private static (T, string) Read(StoredDocument document) =>
        (document.As<T>(TokenTallyJson.Options) ?? throw new InvalidOperationException($"Document {document.PartitionKey}/{document.Id} is empty."), document.ETag);
}
