using Azure.Messaging.EventHubs;

namespace TokenTally.Functions.Ingestion.Lag;

/// <summary>Where the intake's hub and the function's checkpoints stand: the I/O behind the lag check.</summary>
public interface IIntakePositions
{
    /// <summary>Every partition of the hub, with its first and last sequence numbers.</summary>
    Task<IReadOnlyList<PartitionProperties>> GetPartitionsAsync(CancellationToken cancellationToken);

    /// <summary>The sequence number of the partition's checkpoint; null when the function has none.</summary>
    Task<long?> GetCheckpointAsync(string partitionId, CancellationToken cancellationToken);
}
