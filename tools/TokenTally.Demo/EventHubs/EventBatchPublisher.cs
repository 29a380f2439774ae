using System.Globalization;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace TokenTally.Demo.EventHubs;

/// <summary>An event to publish and the name an error gives it (a call record's id, a batch's first id).</summary>
public sealed record NamedEvent(string Name, EventData Data);

/// <summary>What one publish sent: events and the hub batches (one send each) that carried them.</summary>
public sealed record PublishResult(int Events, int Batches);

/// <summary>
/// Publishes events in as few sends as the hub's batch size allows: each batch is filled with <c>TryAdd</c> until one does not
/// fit, sent, and the event goes into the next. An event that does not fit in an empty batch can never be sent; it is an error
/// naming the event, raised before anything after it is sent.
/// </summary>
public sealed class EventBatchPublisher(EventHubProducerClient producer)
{
    public async Task<PublishResult> PublishAsync(IEnumerable<NamedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var (sentEvents, sentBatches) = (0, 0);
        var batch = await producer.CreateBatchAsync(cancellationToken);
        try
        {
            foreach (var item in events)
            {
                if (batch.TryAdd(item.Data))
                {
                    continue;
                }

                if (batch.Count == 0)
                {
                    throw TooLarge(item, batch);
                }

                await producer.SendAsync(batch, cancellationToken);
                (sentEvents, sentBatches) = (sentEvents + batch.Count, sentBatches + 1);
                batch.Dispose();
                batch = await producer.CreateBatchAsync(cancellationToken);
                if (!batch.TryAdd(item.Data))
                {
                    throw TooLarge(item, batch);
                }
            }

            if (batch.Count > 0)
            {
                await producer.SendAsync(batch, cancellationToken);
                (sentEvents, sentBatches) = (sentEvents + batch.Count, sentBatches + 1);
            }
        }
        finally
        {
            batch.Dispose();
        }

        return new PublishResult(sentEvents, sentBatches);
    }

    private static InvalidOperationException TooLarge(NamedEvent item, EventDataBatch batch) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{item.Name} ({item.Data.EventBody.ToMemory().Length:N0} bytes of body) does not fit in an empty event batch (at most {batch.MaximumSizeInBytes:N0} bytes), so it cannot be published."));
}
