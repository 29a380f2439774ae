using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Invocations;
using TokenTally.Storage.Queues;

namespace TokenTally.Functions.Local;

/// <summary>
/// Local mode's stand-in for the host's queue triggers: receives from the in-process queue named
/// in each queueTrigger function.json, invokes the handler with the host's payload shape, completes
/// the message on success and moves it to &lt;queue&gt;-poison after five failed deliveries.
/// </summary>
internal sealed partial class LocalQueueTriggers(
    FunctionCatalog catalog,
    FunctionInvoker invoker,
    IMessageQueue queue,
    HostingEnvironment hosting,
    IOptions<LocalOptions> options,
    TimeProvider time,
    ILogger<LocalQueueTriggers> logger) : BackgroundService
{
    /// <summary>The host's default maxDequeueCount.</summary>
    public const int MaxDequeueCount = 5;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !hosting.IsLocal
        ? Task.CompletedTask
        : Task.WhenAll(catalog.Functions
            .Where(f => f.Trigger.Type.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase))
            .Select(f => ListenAsync(f, stoppingToken)));

    private async Task ListenAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var queueName = function.Trigger.QueueName ?? throw new InvalidOperationException($"{function.Name}/function.json: queueTrigger has no queueName.");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = await queue.ReceiveAsync(queueName, 16, options.Value.QueueVisibilityTimeout, stoppingToken);
                foreach (var message in messages)
                {
                    await DeliverAsync(function, message, stoppingToken);
                }

                if (messages.Count == 0)
                {
                    await Task.Delay(options.Value.QueuePollInterval, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task DeliverAsync(FunctionDescriptor function, QueueMessage message, CancellationToken stoppingToken)
    {
        var outcome = await invoker.InvokeAsync(function, Payload(function, message), Guid.NewGuid().ToString(), stoppingToken);
        if (outcome.Result is InvocationResult.Completed)
        {
            await queue.CompleteAsync(message, stoppingToken);
            return;
        }

        if (message.DequeueCount >= MaxDequeueCount || outcome.Result is InvocationResult.Invalid)
        {
            var poison = QueueNames.PoisonOf(message.Queue);
            await queue.SendAsync(poison, message.Body, null, stoppingToken);
            await queue.CompleteAsync(message, stoppingToken);
            LogPoisoned(logger, message.Id, message.Queue, poison, message.DequeueCount);
        }
    }

    /// <summary>The host double-encodes string values: Data.&lt;name&gt; is a JSON string holding the message as a JSON string.</summary>
    private InvocationRequest Payload(FunctionDescriptor function, QueueMessage message)
    {
        static JsonElement Encoded(string text) => JsonSerializer.SerializeToElement(JsonSerializer.Serialize(text));
        var metadata = new Dictionary<string, JsonElement>
        {
            ["DequeueCount"] = JsonSerializer.SerializeToElement(message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["Id"] = Encoded(message.Id),
            ["PopReceipt"] = Encoded(message.Receipt),
            ["InsertionTime"] = JsonSerializer.SerializeToElement(message.InsertedAt),
            ["ExpirationTime"] = JsonSerializer.SerializeToElement(message.ExpiresAt),
            ["NextVisibleTime"] = JsonSerializer.SerializeToElement(message.NextVisibleAt),
            ["sys"] = JsonSerializer.SerializeToElement(new { MethodName = function.Name, UtcNow = time.GetUtcNow(), RandGuid = Guid.NewGuid() }),
        };
        return new InvocationRequest(new Dictionary<string, JsonElement> { [function.Trigger.Name] = Encoded(message.Body) }, metadata);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} on {Queue} moved to {PoisonQueue} after {DequeueCount} deliveries")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string queue, string poisonQueue, long dequeueCount);
}
