using TokenTally.Storage.Documents;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>How the store fails while a fault is on.</summary>
public enum StoreFault
{
    None,

    /// <summary>Writes to the container fail before they reach the store.</summary>
    WritesRefused,

    /// <summary>Writes to the container land, but the answer is lost (a timeout after the commit).</summary>
    AnswersLost,
}

/// <summary>Fault injection: the real document store, except writes to <see cref="Container"/> while <see cref="Fault"/> is on.</summary>
public sealed class FaultyDocumentStore(IDocumentStore inner) : DelegatingDocumentStore(inner)
{
    public DocumentContainer Container { get; set; } = DocumentContainer.Calls;

    public StoreFault Fault { get; set; }

    public override Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken) =>
        WriteAsync(container, () => Inner.UpsertAsync(container, document, condition, cancellationToken));

    public override Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken) =>
        WriteAsync(container, () => Inner.UpsertManyAsync(container, documents, cancellationToken));

    public override Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken) =>
        WriteAsync(container, () => Inner.PatchAsync(container, partitionKey, id, operations, ifMatch, cancellationToken));

    public override Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken) =>
        WriteAsync(container, () => Inner.DeleteAsync(container, partitionKey, id, ifMatch, cancellationToken));

    private async Task<T> WriteAsync<T>(DocumentContainer container, Func<Task<T>> write)
    {
        var fault = container == Container ? Fault : StoreFault.None;
        if (fault == StoreFault.WritesRefused)
        {
            throw new IOException($"The document store refused a write to {container} (injected outage).");
        }

        var result = await write();
        return fault == StoreFault.AnswersLost
            ? throw new TimeoutException($"The document store took a write to {container} but its answer was lost (injected outage).")
            : result;
    }
}
