namespace TokenTally.Storage.Documents;

/// <summary>A document that exceeds a limit of the store it is written to; nothing of the write was stored.</summary>
public sealed class DocumentTooLargeException(DocumentContainer container, string partitionKey, string id, string reason)
    : ArgumentException($"Document '{id}' in partition '{partitionKey}' of {DocumentContainerNames.Of(container)} cannot be stored: {reason}")
{
    public DocumentContainer Container { get; } = container;

    public string PartitionKey { get; } = partitionKey;

    public string Id { get; } = id;
}
