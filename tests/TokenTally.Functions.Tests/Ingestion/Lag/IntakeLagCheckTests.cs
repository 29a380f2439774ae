using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Functions.Ingestion.Lag;

namespace TokenTally.Functions.Tests.Ingestion.Lag;

/// <summary>The lag check over partition positions given in the test (no Event Hubs emulator runs here).</summary>
public sealed class IntakeLagCheckTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WithinTheThresholdTheIntakeIsHealthyAndEveryPartitionsLagIsInTheData()
    {
        var positions = new GivenPositions(
            (PartitionLagTests.Partition("0", 0, 1_000), 990),
            (PartitionLagTests.Partition("1", 0, 500), null));

        var result = await CreateSut(positions, maxEventsBehind: 501).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("511 events behind across 2 partitions (at most 501 per partition).", result.Description);
        Assert.Equal(new PartitionLag("0", 1_000, 990, 10, CheckpointState.Checkpointed), result.Data["0"]);
        Assert.Equal(new PartitionLag("1", 500, null, 501, CheckpointState.NoCheckpoint), result.Data["1"]);
    }

    [Fact]
    public async Task APartitionFurtherBehindThanTheThresholdDegradesTheIntakeByName()
    {
        var positions = new GivenPositions(
            (PartitionLagTests.Partition("0", 0, 100), 100),
            (PartitionLagTests.Partition("7", 0, 30_000), 12_000));

        var result = await CreateSut(positions, maxEventsBehind: 10_000).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("18,000 events behind across 2 partitions (at most 10,000 per partition): partition 7 is 18,000 events behind.", result.Description);
        Assert.Equal(2, result.Data.Count);
    }

    [Fact]
    public async Task ACheckpointAheadOfItsPartitionDegradesTheIntakeAndSaysWhatToDo()
    {
        var positions = new GivenPositions((PartitionLagTests.Partition("2", 0, 9), 52_000));

        var result = await CreateSut(positions, maxEventsBehind: 10_000).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.EndsWith("partition 2's checkpoint (52000) is ahead of its last event; was the hub recreated? Delete the checkpoint blob.", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PositionsThatCannotBeReadDegradeTheIntakeWithTheReason()
    {
        var positions = new GivenPositions { Failure = new EventHubsException(isTransient: false, "llm-calls", "Unauthorized access.", EventHubsException.FailureReason.GeneralError) };

        var result = await CreateSut(positions, maxEventsBehind: 10).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("The intake's partitions or checkpoints could not be read.", result.Description);
        Assert.Same(positions.Failure, result.Exception);
    }

    [Fact]
    public async Task TheHubAndStorageAreAskedAtMostOnceEveryThirtySecondsHoweverOftenHealthIsChecked()
    {
        var positions = new GivenPositions((PartitionLagTests.Partition("0", 0, 10), 10));
        var check = CreateSut(positions, maxEventsBehind: 10);

        for (var i = 0; i < 5; i++)
        {
            await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(1, positions.Reads);
        _time.Advance(TimeSpan.FromSeconds(10));
        await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(2, positions.Reads);
    }

    private IntakeLagCheck CreateSut(IIntakePositions positions, long maxEventsBehind) =>
        new(positions, Options.Create(new IntakeLagOptions { MaxEventsBehind = maxEventsBehind }), _time);

    /// <summary>Partitions and checkpoints as given, as the hub and the host's storage would answer.</summary>
    internal sealed class GivenPositions(params (PartitionProperties Partition, long? Checkpoint)[] partitions) : IIntakePositions
    {
        public Exception? Failure { get; init; }

        public int Reads { get; private set; }

        public Task<IReadOnlyList<PartitionProperties>> GetPartitionsAsync(CancellationToken cancellationToken)
        {
            Reads++;
            return Failure is { } failure ? Task.FromException<IReadOnlyList<PartitionProperties>>(failure) : Task.FromResult<IReadOnlyList<PartitionProperties>>([.. partitions.Select(p => p.Partition)]);
        }

        public Task<long?> GetCheckpointAsync(string partitionId, CancellationToken cancellationToken) =>
            Task.FromResult(partitions.Single(p => p.Partition.Id == partitionId).Checkpoint);
    }
}
