using Microsoft.Azure.Functions.Worker;
using TokenTally.Application.Ingestion;

namespace TokenTally.Functions.Ingestion;

/// <summary>
/// The Event Hubs intake: a batch of events, each with its key in the <c>api-key</c> application property. Bad events and
/// records are dead-lettered and never fail the invocation; a storage failure throws, and the host retries the batch.
/// </summary>
public sealed partial class IngestEventsFunction(EventHubIntake intake, ILogger<IngestEventsFunction> logger)
{
    public const string Name = "IngestEvents";

    /// <summary>The consumer group the function reads with; its checkpoints are kept under this name.</summary>
    public const string ConsumerGroup = "tokentally";

    /// <summary>The prefix of the Event Hubs connection settings (<c>EventHubConnection__fullyQualifiedNamespace</c>).</summary>
    public const string Connection = "EventHubConnection";

    /// <summary>The app setting naming the hub.</summary>
    public const string EventHubNameSetting = "TokenTally__EventHubName";

    [Function(Name)]
    [ExponentialBackoffRetry(8, "00:00:05", "00:05:00")]
    public async Task RunAsync(
        [EventHubTrigger("%" + EventHubNameSetting + "%", Connection = Connection, ConsumerGroup = ConsumerGroup)] string[] events,
        FunctionContext context)
    {
        var batch = EventHubBindingData.Read(events, context.BindingContext.BindingData);
        var result = await intake.IngestAsync(batch, context.CancellationToken);
        LogBatch(logger, batch.PartitionId ?? "?", result.Events, result.Accepted, result.DeadLettered);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "IngestEvents partition {Partition}: {Events} events, {Accepted} records accepted, {DeadLettered} dead-lettered")]
    private static partial void LogBatch(ILogger logger, string partition, int events, int accepted, int deadLettered);
}
