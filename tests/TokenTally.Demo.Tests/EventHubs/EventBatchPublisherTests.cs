using System.Text;
using Azure.Messaging.EventHubs;
using TokenTally.Demo.EventHubs;
using TokenTally.Demo.Tests.Infrastructure;

namespace TokenTally.Demo.Tests.EventHubs;

/// <summary>Batches under the hub's size limit, against batches from the SDK's model factory.</summary>
public sealed class EventBatchPublisherTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ManyEventsAreSplitIntoAsFewBatchesAsTheSizeLimitAllowsInTheirOrder()
    {
        var producer = new RecordingProducer(maxBatchBytes: 1_000);
        var events = Enumerable.Range(0, 25).Select(i => Event($"e{i}", bytes: 300)).ToList();

        var result = await new EventBatchPublisher(producer).PublishAsync(events, Ct);

        Assert.Equal(new PublishResult(25, 9), result);
        Assert.Equal([3, 3, 3, 3, 3, 3, 3, 3, 1], producer.Sent.Select(b => b.Count));
        Assert.All(producer.Sent, b => Assert.True(b.Sum(RecordingProducer.BodyBytes) <= 1_000));
        Assert.Equal(events.Select(e => e.Data), producer.Sent.SelectMany(b => b));
    }

    [Fact]
    public async Task AnEventThatDoesNotFitInAnEmptyBatchIsAnErrorNamingItAndNothingAfterItIsSent()
    {
        var producer = new RecordingProducer(maxBatchBytes: 1_000);
        NamedEvent[] events = [Event("Call record 'a'", 400), Event("Call record 'b'", 400), Event("Call record 'huge'", 1_001), Event("Call record 'c'", 10)];

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new EventBatchPublisher(producer).PublishAsync(events, Ct));

        Assert.Equal("Call record 'huge' (1,001 bytes of body) does not fit in an empty event batch (at most 1,000 bytes), so it cannot be published.", error.Message);
        Assert.Equal([["Call record 'a'", "Call record 'b'"]], producer.Sent.Select(b => b.Select(e => e.MessageId).ToArray()));
    }

    [Fact]
    public async Task AnOversizedFirstEventSendsNothing()
    {
        var producer = new RecordingProducer(maxBatchBytes: 100);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new EventBatchPublisher(producer).PublishAsync([Event("first", 101), Event("second", 1)], Ct));

        Assert.StartsWith("first (101 bytes of body) does not fit", error.Message, StringComparison.Ordinal);
        Assert.Empty(producer.Sent);
    }

    [Fact]
    public async Task NoEventsSendNothing()
    {
        var producer = new RecordingProducer(maxBatchBytes: 100);

        Assert.Equal(new PublishResult(0, 0), await new EventBatchPublisher(producer).PublishAsync([], Ct));
        Assert.Empty(producer.Sent);
    }

    private static NamedEvent Event(string name, int bytes) =>
        new(name, new EventData(Encoding.UTF8.GetBytes(new string('x', bytes))) { MessageId = name });
}
