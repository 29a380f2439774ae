using Azure.Messaging.EventHubs;

namespace TokenTally.Functions.Ingestion.Lag;

/// <summary>Where a partition's checkpoint stands against the events in it.</summary>
public enum CheckpointState
{
    /// <summary>The partition holds no events.</summary>
    Empty,

    /// <summary>Events arrived but the function has checkpointed none yet: every retained event is still to be read.</summary>
    NoCheckpoint,

    /// <summary>The checkpoint is at or behind the last event enqueued.</summary>
    Checkpointed,

    /// <summary>
    /// The checkpoint is past the last event enqueued, as after the hub was deleted and created again: the function would skip
    /// new events until the sequence numbers catch up, so the checkpoint blob should be deleted.
    /// </summary>
    CheckpointAhead,
}

/// <summary>How many events of one partition the <c>IngestEvents</c> function has not read yet.</summary>
/// <param name="PartitionId">The partition.</param>
/// <param name="LastEnqueuedSequenceNumber">The hub's last sequence number in the partition; null when it is empty.</param>
/// <param name="CheckpointSequenceNumber">The sequence number of the last event the function checkpointed; null when none.</param>
/// <param name="EventsBehind">Events enqueued after the checkpoint and still retained.</param>
/// <param name="State">How the checkpoint relates to the partition.</param>
public sealed record PartitionLag(string PartitionId, long? LastEnqueuedSequenceNumber, long? CheckpointSequenceNumber, long EventsBehind, CheckpointState State)
{
    /// <summary>The lag from the partition's properties and the checkpoint's sequence number (null when there is no checkpoint).</summary>
    public static PartitionLag Of(PartitionProperties partition, long? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var last = partition.IsEmpty ? (long?)null : partition.LastEnqueuedSequenceNumber;
        var retained = partition.IsEmpty ? 0 : partition.LastEnqueuedSequenceNumber - partition.BeginningSequenceNumber + 1;
        if (checkpoint > partition.LastEnqueuedSequenceNumber)
        {
            return new(partition.Id, last, checkpoint, retained, CheckpointState.CheckpointAhead);
        }

        if (partition.IsEmpty)
        {
            return new(partition.Id, null, checkpoint, 0, CheckpointState.Empty);
        }

        // A checkpoint older than the retained events counts only those: the expired ones can no longer be read.
        return checkpoint is { } read
            ? new(partition.Id, last, read, Math.Min(partition.LastEnqueuedSequenceNumber - read, retained), CheckpointState.Checkpointed)
            : new(partition.Id, last, null, retained, CheckpointState.NoCheckpoint);
    }
}
