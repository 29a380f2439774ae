using System.Globalization;
using Azure;
using Azure.Storage.Blobs;

namespace TokenTally.Functions.Ingestion.Lag;

/// <summary>
/// The checkpoints the host's Event Hubs extension keeps in its storage account (<c>AzureWebJobsStorage</c>): one empty blob
/// per partition in container <c>azure-webjobs-eventhub</c>, named
/// <c>{namespace}/{hub}/{consumer group}/checkpoint/{partition}</c> with the first three in lower case, whose metadata
/// <c>sequencenumber</c> is the last event the function checkpointed (empty for an offset-only checkpoint).
/// </summary>
public sealed class CheckpointBlobs(BlobContainerClient container)
{
    public const string ContainerName = "azure-webjobs-eventhub";
    public const string SequenceNumberMetadata = "sequencenumber";

    public static string BlobName(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId) =>
        string.Create(CultureInfo.InvariantCulture, $"{fullyQualifiedNamespace.ToLowerInvariant()}/{eventHubName.ToLowerInvariant()}/{consumerGroup.ToLowerInvariant()}/checkpoint/{partitionId}");

    /// <summary>The checkpoint's sequence number; null when there is no checkpoint blob or it carries no sequence number.</summary>
    public async Task<long?> GetSequenceNumberAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, CancellationToken cancellationToken)
    {
        try
        {
            var blob = container.GetBlobClient(BlobName(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId));
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            var text = properties.Value.Metadata.FirstOrDefault(m => m.Key.Equals(SequenceNumberMetadata, StringComparison.OrdinalIgnoreCase)).Value;
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sequence) ? sequence : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
