using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Options;

namespace TokenTally.Demo.EventHubs;

/// <summary>
/// The demo's calls as the Event Hubs intake reads them: one call record per event, its JSON as the body and the project's
/// key in the <c>api-key</c> application property.
/// </summary>
internal sealed class DemoEventHubSink(EventBatchPublisher publisher, IOptions<DemoOptions> options)
{
    public const string ApiKeyProperty = "api-key";

    public string EventHubName => options.Value.EventHubs.EventHubName ?? string.Empty;

    public Task<PublishResult> PublishAsync(string apiKey, IEnumerable<DemoCall> calls, CancellationToken cancellationToken) =>
        publisher.PublishAsync(calls.Select(call => new NamedEvent($"Call record '{call.Id}'", ToEvent(call, apiKey))), cancellationToken);

    public static EventData ToEvent(DemoCall call, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(call);
        var data = new EventData(call.ToJsonUtf8()) { ContentType = "application/json" };
        data.Properties[ApiKeyProperty] = apiKey;
        return data;
    }
}
