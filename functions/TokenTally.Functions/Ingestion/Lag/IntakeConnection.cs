using Azure.Core;
using Azure.Identity;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace TokenTally.Functions.Ingestion.Lag;

/// <summary>
/// The intake's hub and the host's storage, read from the settings the host itself reads for <c>IngestEvents</c>: the hub from
/// <c>TokenTally__EventHubName</c>; the namespace from <c>EventHubConnection</c> (a connection string) or
/// <c>EventHubConnection__fullyQualifiedNamespace</c>; the checkpoints' account from <c>AzureWebJobsStorage</c> (a connection
/// string), <c>AzureWebJobsStorage__blobServiceUri</c> or <c>AzureWebJobsStorage__accountName</c>. An identity-based connection
/// uses the managed identity its <c>__clientId</c> names (with <c>__credential</c> = <c>managedidentity</c>), else
/// <c>DefaultAzureCredential</c>.
/// </summary>
internal sealed record IntakeConnection(string EventHubName, IConfigurationSection EventHubs, IConfigurationSection Storage)
{
    public const string StorageSetting = "AzureWebJobsStorage";

    /// <summary>The intake's connection when the app reads a hub (in Azure); null otherwise.</summary>
    public static IntakeConnection? From(IConfiguration configuration)
    {
        var hub = configuration[IngestEventsFunction.EventHubNameSetting.Replace("__", ":", StringComparison.Ordinal)];
        var eventHubs = configuration.GetSection(IngestEventsFunction.Connection);
        return string.IsNullOrWhiteSpace(hub) || (string.IsNullOrWhiteSpace(eventHubs.Value) && string.IsNullOrWhiteSpace(eventHubs["fullyQualifiedNamespace"]))
            ? null
            : new IntakeConnection(hub, eventHubs, configuration.GetSection(StorageSetting));
    }

    public bool HasStorage => !string.IsNullOrWhiteSpace(Storage.Value) || BlobServiceUri is not null;

    private Uri? BlobServiceUri =>
        Uri.TryCreate(Storage["blobServiceUri"], UriKind.Absolute, out var uri) ? uri
        : Storage["accountName"] is { Length: > 0 } account && Uri.TryCreate($"https://{account}.blob.core.windows.net", UriKind.Absolute, out var byName) ? byName
        : null;

    public EventHubConsumerClient CreateConsumer() =>
        string.IsNullOrWhiteSpace(EventHubs.Value)
            ? new EventHubConsumerClient(IngestEventsFunction.ConsumerGroup, EventHubs["fullyQualifiedNamespace"], EventHubName, Credential(EventHubs))
            : new EventHubConsumerClient(IngestEventsFunction.ConsumerGroup, EventHubs.Value, EventHubName);

    public BlobContainerClient CreateCheckpointContainer()
    {
        var service = string.IsNullOrWhiteSpace(Storage.Value)
            ? new BlobServiceClient(BlobServiceUri ?? throw new InvalidOperationException($"{StorageSetting} names no blob service."), Credential(Storage))
            : new BlobServiceClient(Storage.Value);
        return service.GetBlobContainerClient(CheckpointBlobs.ContainerName);
    }

    private static TokenCredential Credential(IConfigurationSection connection) =>
        string.Equals(connection["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(connection["clientId"] is { Length: > 0 } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
}
