using System.Collections.Concurrent;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace TokenTally.Demo.Tests.Infrastructure;

/// <summary>
/// An <see cref="EventHubProducerClient"/> without a hub (no emulator runs here): its batches come from the SDK's model factory
/// and accept events while their bodies fit in <paramref name="maxBatchBytes"/>, and every batch sent is kept, in order.
/// </summary>
internal sealed class RecordingProducer(long maxBatchBytes) : EventHubProducerClient
{
    private readonly ConcurrentDictionary<EventDataBatch, List<EventData>> _open = new();
    private readonly ConcurrentQueue<IReadOnlyList<EventData>> _sent = new();

    /// <summary>The batches sent, each with its events.</summary>
    public IReadOnlyList<IReadOnlyList<EventData>> Sent => [.. _sent];

    /// <summary>When set, a send fails with it (after the batch is built), as an unavailable hub does.</summary>
    public Exception? FailSendsWith { get; set; }

    public override ValueTask<EventDataBatch> CreateBatchAsync(CancellationToken cancellationToken = default)
    {
        var events = new List<EventData>();
        var batch = EventHubsModelFactory.EventDataBatch(
            maxBatchBytes, events, new CreateBatchOptions { MaximumSizeInBytes = maxBatchBytes }, e => events.Sum(BodyBytes) + BodyBytes(e) <= maxBatchBytes);
        _open[batch] = events;
        return ValueTask.FromResult(batch);
    }

    public override Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default)
    {
        if (FailSendsWith is { } failure)
        {
            throw failure;
        }

        _sent.Enqueue([.. _open[eventBatch]]);
        return Task.CompletedTask;
    }

    public static int BodyBytes(EventData data) => data.EventBody.ToMemory().Length;
}
