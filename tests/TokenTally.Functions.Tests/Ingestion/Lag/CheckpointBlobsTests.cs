using Azure.Storage.Blobs;
using TokenTally.Functions.Ingestion.Lag;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Ingestion.Lag;

/// <summary>Checkpoints read from Azurite, written there in the layout of the host's Event Hubs extension.</summary>
public sealed class CheckpointBlobsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Namespace = "tokentally-test.servicebus.windows.net";
    private readonly string _hub = "hub-" + Guid.NewGuid().ToString("N")[..8];
    private BlobContainerClient _container = null!;

    public async ValueTask InitializeAsync()
    {
        _container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(CheckpointBlobs.ContainerName);
        await _container.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task TheSequenceNumberIsReadFromTheCheckpointBlobOfTheNamespaceHubConsumerGroupAndPartition()
    {
        await WriteCheckpointAsync($"{Namespace}/{_hub}/tokentally/checkpoint/0", sequenceNumber: "4711");
        await WriteCheckpointAsync($"{Namespace}/{_hub}/$default/checkpoint/0", sequenceNumber: "99");
        await WriteCheckpointAsync($"{Namespace}/{_hub}/tokentally/checkpoint/1", sequenceNumber: "12");

        Assert.Equal(4711, await ReadAsync("tokentally", "0"));
        Assert.Equal(12, await ReadAsync("tokentally", "1"));
        Assert.Equal(99, await ReadAsync("$Default", "0"));
    }

    [Fact]
    public async Task TheNamespaceHubAndConsumerGroupAreLowerCasedInTheBlobNameAsTheExtensionWritesThem()
    {
        await WriteCheckpointAsync($"{Namespace}/{_hub}/tokentally/checkpoint/3", sequenceNumber: "8");

        Assert.Equal(8, await new CheckpointBlobs(_container).GetSequenceNumberAsync(Namespace.ToUpperInvariant(), _hub.ToUpperInvariant(), "TokenTally", "3", TestContext.Current.CancellationToken));
        Assert.Equal($"{Namespace}/{_hub}/tokentally/checkpoint/3", CheckpointBlobs.BlobName(Namespace.ToUpperInvariant(), _hub.ToUpperInvariant(), "TokenTally", "3"));
    }

    [Fact]
    public async Task APartitionWithoutACheckpointBlobHasNoCheckpoint()
    {
        Assert.Null(await ReadAsync("tokentally", "5"));
    }

    [Fact]
    public async Task ACheckpointWithoutASequenceNumberCountsAsNone()
    {
        await WriteCheckpointAsync($"{Namespace}/{_hub}/tokentally/checkpoint/2", sequenceNumber: "");

        Assert.Null(await ReadAsync("tokentally", "2"));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<long?> ReadAsync(string consumerGroup, string partition) =>
        new CheckpointBlobs(_container).GetSequenceNumberAsync(Namespace, _hub, consumerGroup, partition, TestContext.Current.CancellationToken);

    /// <summary>An empty blob with the metadata the extension's checkpoint store sets (offset, sequencenumber, clientidentifier).</summary>
    private async Task WriteCheckpointAsync(string name, string sequenceNumber) =>
        await _container.GetBlobClient(name).UploadAsync(
            BinaryData.Empty,
            new Azure.Storage.Blobs.Models.BlobUploadOptions
            {
                Metadata = new Dictionary<string, string> { ["offset"] = "", ["sequencenumber"] = sequenceNumber, ["clientidentifier"] = "worker-1" },
            },
            TestContext.Current.CancellationToken);
}
