using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Application.Ingestion;
using TokenTally.Application.Tests.Hosts;

namespace TokenTally.Application.Tests.Ingestion;

/// <summary>At-least-once delivery, exactly-once totals: over HTTP, through the Event Hubs intake, and both.</summary>
public sealed class IngestionDeliveryTests
{
    [Fact]
    public async Task TenThousandEventsSentTwiceOverHttpAndOnceThroughEventHubsAreStoredAndCountedOnce()
    {
        await using var host = await LocalApiHost.StartAsync(["--TokenTally:Ingestion:RequestsPerSecondPerKey=100000", "--TokenTally:Ingestion:BurstPerKey=100000"]);
        var session = await ApiSession.CreateAsync(host, ["ingest", "read:project"]);
        var hour = Pipelines.ClosedHour(2);
        var records = Enumerable.Range(0, 10_000)
            .Select(i => CallRecords.Record($"dedupe-{i:D5}", hour.AddMilliseconds(i * 300), model: i % 3 == 0 ? "gpt-4o-mini" : "gpt-4o", input: 100 + (i % 977), output: 10 + (i % 131)))
            .ToList();

        var first = await SendOverHttpAsync(session, records);
        await host.RunHourAsync();
        var before = await session.GetJsonAsync($"/api/v1/costs?granularity=hour&from={Uri.EscapeDataString(hour.ToString("O"))}");
        var second = await SendOverHttpAsync(session, records);
        var eventHubs = await host.Services.GetRequiredService<EventHubIntake>().IngestAsync(
            new EventHubBatch("llm-calls", "0", records.Select((r, i) => new EventHubEvent(r, new Dictionary<string, string> { ["api-key"] = session.Key }, $"{i}", i, null)).ToList()),
            TestContext.Current.CancellationToken);
        await host.RunHourAsync();
        var after = await session.GetJsonAsync($"/api/v1/costs?granularity=hour&from={Uri.EscapeDataString(hour.ToString("O"))}");

        Assert.Equal((10_000, 0), first);
        Assert.Equal((0, 10_000), second);
        Assert.Equal((10_000, 0), (eventHubs.Accepted, eventHubs.DeadLettered));
        Assert.Equal(10_000, before.GetProperty("total").GetProperty("calls").GetInt64());
        Assert.Equal(before.GetProperty("total").GetRawText(), after.GetProperty("total").GetRawText());
        Assert.True(after.GetProperty("total").GetProperty("costUsd").GetDecimal() > 0);
    }

    private static async Task<(int Created, int Duplicates)> SendOverHttpAsync(ApiSession session, List<string> records)
    {
        var (created, duplicates) = (0, 0);
        foreach (var chunk in records.Chunk(1_000))
        {
            var response = await session.PostEventsAsync(CallRecords.Batch(chunk));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            created += body.GetProperty("created").GetInt32();
            duplicates += body.GetProperty("duplicates").GetInt32();
        }

        return (created, duplicates);
    }
}
