using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;

namespace TokenTally.Functions.Ingestion.Lag;

/// <summary>The hub's partitions through an <see cref="EventHubConsumerClient"/>, the checkpoints from the host's storage.</summary>
internal sealed class EventHubIntakePositions(EventHubConsumerClient consumer, CheckpointBlobs checkpoints) : IIntakePositions, IAsyncDisposable
{
    public async Task<IReadOnlyList<PartitionProperties>> GetPartitionsAsync(CancellationToken cancellationToken)
    {
        var ids = await consumer.GetPartitionIdsAsync(cancellationToken);
        return await Task.WhenAll(ids.Select(id => consumer.GetPartitionPropertiesAsync(id, cancellationToken)));
    }

    public Task<long?> GetCheckpointAsync(string partitionId, CancellationToken cancellationToken) =>
        checkpoints.GetSequenceNumberAsync(consumer.FullyQualifiedNamespace, consumer.EventHubName, consumer.ConsumerGroup, partitionId, cancellationToken);

    public ValueTask DisposeAsync() => consumer.DisposeAsync();
}
