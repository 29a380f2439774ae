using System.Text.Json;
using TokenTally.Demo.EventHubs;

namespace TokenTally.Demo.Tests.EventHubs;

/// <summary>Each call is one event as the Event Hubs intake reads it: the record's JSON as the body, the key as the api-key property.</summary>
public sealed class DemoEventHubSinkTests
{
    [Fact]
    public void AnEventCarriesOneCallRecordAndItsProjectKey()
    {
        var call = new DemoTraffic(42, new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero), 4_000)
            .Generate(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero))
            .First();

        var data = DemoEventHubSink.ToEvent(call, "tt_key");

        Assert.Equal(call.ToJsonUtf8(), data.EventBody.ToArray());
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(data.EventBody.ToMemory()).RootElement.ValueKind);
        Assert.Equal("application/json", data.ContentType);
        Assert.Equal("tt_key", Assert.Single(data.Properties, p => p.Key == "api-key").Value);
    }
}
