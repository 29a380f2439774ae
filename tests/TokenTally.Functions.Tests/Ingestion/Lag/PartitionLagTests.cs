using Azure.Messaging.EventHubs;
using TokenTally.Functions.Ingestion.Lag;

namespace TokenTally.Functions.Tests.Ingestion.Lag;

/// <summary>The lag of one partition from its properties (the SDK's model factory) and the function's checkpoint.</summary>
public sealed class PartitionLagTests
{
    [Fact]
    public void BehindACheckpointTheLagIsTheEventsEnqueuedAfterIt()
    {
        var lag = PartitionLag.Of(Partition("3", beginning: 100, last: 1_250), checkpoint: 1_200);

        Assert.Equal(new PartitionLag("3", 1_250, 1_200, 50, CheckpointState.Checkpointed), lag);
    }

    [Fact]
    public void ACheckpointAtTheLastEventIsNoLag()
    {
        Assert.Equal(0, PartitionLag.Of(Partition("0", beginning: 0, last: 41), checkpoint: 41).EventsBehind);
    }

    [Fact]
    public void WithoutACheckpointEveryRetainedEventIsStillToBeRead()
    {
        var lag = PartitionLag.Of(Partition("1", beginning: 500, last: 799), checkpoint: null);

        Assert.Equal(new PartitionLag("1", 799, null, 300, CheckpointState.NoCheckpoint), lag);
    }

    [Fact]
    public void AFirstEventWithoutACheckpointIsOneBehind()
    {
        Assert.Equal(1, PartitionLag.Of(Partition("1", beginning: 0, last: 0), checkpoint: null).EventsBehind);
    }

    [Fact]
    public void AnEmptyPartitionIsNoLagWithOrWithoutACheckpoint()
    {
        var fresh = EventHubsModelFactory.PartitionProperties("llm-calls", "2", isEmpty: true, beginningSequenceNumber: -1, lastSequenceNumber: -1, lastOffsetString: "-1", lastEnqueuedTime: default);
        var expired = EventHubsModelFactory.PartitionProperties("llm-calls", "2", isEmpty: true, beginningSequenceNumber: 901, lastSequenceNumber: 900, lastOffsetString: "9000", lastEnqueuedTime: default);

        Assert.Equal(new PartitionLag("2", null, null, 0, CheckpointState.Empty), PartitionLag.Of(fresh, checkpoint: null));
        Assert.Equal(new PartitionLag("2", null, 900, 0, CheckpointState.Empty), PartitionLag.Of(expired, checkpoint: 900));
    }

    [Fact]
    public void ACheckpointOlderThanTheRetainedEventsCountsOnlyThoseStillInThePartition()
    {
        var lag = PartitionLag.Of(Partition("4", beginning: 10_000, last: 10_099), checkpoint: 20);

        Assert.Equal(100, lag.EventsBehind);
    }

    [Fact]
    public void ACheckpointAheadOfThePartitionAsAfterTheHubWasRecreatedIsFlaggedAndEveryRetainedEventCounts()
    {
        var recreated = PartitionLag.Of(Partition("0", beginning: 0, last: 9), checkpoint: 52_000);
        var recreatedAndEmpty = PartitionLag.Of(
            EventHubsModelFactory.PartitionProperties("llm-calls", "1", isEmpty: true, beginningSequenceNumber: -1, lastSequenceNumber: -1, lastOffsetString: "-1", lastEnqueuedTime: default), checkpoint: 7);

        Assert.Equal(new PartitionLag("0", 9, 52_000, 10, CheckpointState.CheckpointAhead), recreated);
        Assert.Equal(new PartitionLag("1", null, 7, 0, CheckpointState.CheckpointAhead), recreatedAndEmpty);
    }

    internal static PartitionProperties Partition(string id, long beginning, long last) =>
        EventHubsModelFactory.PartitionProperties("llm-calls", id, isEmpty: false, beginningSequenceNumber: beginning, lastSequenceNumber: last, lastOffsetString: "0", lastEnqueuedTime: DateTimeOffset.UnixEpoch);
}
