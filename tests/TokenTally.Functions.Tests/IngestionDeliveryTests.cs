using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Documents;

namespace TokenTally.Functions.Tests;

/// <summary>At-least-once delivery, exactly-once totals: over HTTP, through the Event Hubs handler, and both.</summary>
public sealed class IngestionDeliveryTests : ServerTests
{
    [Fact]
    public async Task TenThousandEventsSentTwiceOverHttpAndOnceThroughEventHubsAreStoredOnce()
    {
        var session = await ApiSession.CreateAsync(Server, Client);
        var hour = DateTimeOffset.UtcNow.AddHours(-2);
        hour = new DateTimeOffset(hour.Year, hour.Month, hour.Day, hour.Hour, 0, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 10_000)
            .Select(i => Calls.Record($"dedupe-{i:D5}", hour.AddMilliseconds(i * 300), model: i % 3 == 0 ? "gpt-4o-mini" : "gpt-4o", input: 100 + i % 977, output: 10 + i % 131))
            .ToList();

        var firstTotals = await SendOverHttpAsync(session, records);
        var first = await HourTotalsAsync(session.Tenant, hour);
        var second = await SendOverHttpAsync(session, records);
        await SendThroughEventHubsAsync(session.Key, records);
        var last = await HourTotalsAsync(session.Tenant, hour);

        Assert.Equal((10_000, 0), firstTotals);
        Assert.Equal((0, 10_000), second);
        Assert.Equal(10_000, first.Calls);
        Assert.Equal(first, last);
        Assert.True(last.Cost > 0);
    }

    [Fact]
    public async Task BadEventsAreDeadLetteredWithWhereTheyCameFromAndTheInvocationStillSucceeds()
    {
        var session = await ApiSession.CreateAsync(Server, Client);
        var bodies = new[] { Calls.Record("eh-good"), Calls.Record("eh-bad", input: -1), "{not json", Calls.Record("eh-nokey") };
        var properties = new object[] { new Dictionary<string, string> { ["api-key"] = session.Key }, new Dictionary<string, string> { ["api-key"] = session.Key }, new Dictionary<string, string> { ["api-key"] = session.Key }, new Dictionary<string, string>() };

        var response = await InvokeIngestEventsAsync(bodies, properties, partition: "7", firstSequence: 500);
        var letters = await DeadLettersAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await session.GetCallAsync("eh-good");
        Assert.Equal(3, letters.Count);
        Assert.Contains(letters, l => l.GetProperty("reason").GetString() == "invalid record" && l.GetProperty("source").GetProperty("sequenceNumber").GetInt64() == 501
            && l.GetProperty("source").GetProperty("partitionId").GetString() == "7" && l.GetProperty("body").GetString()!.Contains("eh-bad", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.GetProperty("reason").GetString()!.StartsWith("invalid record", StringComparison.Ordinal) && l.GetProperty("body").GetString() == "{not json");
        Assert.Contains(letters, l => l.GetProperty("reason").GetString()!.Contains("no 'api-key'", StringComparison.Ordinal) && l.GetProperty("source").GetProperty("sequenceNumber").GetInt64() == 503);
    }

    [Fact]
    public async Task AStorageOutageFailsTheInvocationSoTheHostRetriesAndTheRetryStoresOnce()
    {
        var outage = new Outage();
        await using var server = new TokenTallyServer(services: s => s.Replace(ServiceDescriptor.Singleton<IDocumentStore>(sp =>
            new OutageDocumentStore(sp.GetRequiredService<TokenTally.Storage.Sqlite.SqliteDocumentStore>(), outage))));
        using var client = server.Start();
        var session = await ApiSession.CreateAsync(server, client);
        var properties = new object[] { new Dictionary<string, string> { ["api-key"] = session.Key } };

        outage.Down = true;
        var failed = await InvokeIngestEventsAsync(client, [Calls.Record("outage-1")], properties, "0", 1);
        outage.Down = false;
        var retried = await InvokeIngestEventsAsync(client, [Calls.Record("outage-1")], properties, "0", 1);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal("outage-1", (await session.GetCallAsync("outage-1")).GetProperty("call").GetProperty("id").GetString());
    }

    private sealed class Outage
    {
        public bool Down { get; set; }
    }

    /// <summary>Fault injection: the real store, except that bulk writes fail while the outage lasts.</summary>
    private sealed class OutageDocumentStore(IDocumentStore inner, Outage outage) : IDocumentStore
    {
        public Task<StoredDocument?> GetAsync(DocumentContainer container, string partitionKey, string id, CancellationToken cancellationToken) => inner.GetAsync(container, partitionKey, id, cancellationToken);

        public Task<StoredDocument?> FindByLookupKeyAsync(DocumentContainer container, string lookupKey, CancellationToken cancellationToken) => inner.FindByLookupKeyAsync(container, lookupKey, cancellationToken);

        public Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken) => inner.UpsertAsync(container, document, condition, cancellationToken);

        public Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken) =>
            outage.Down ? throw new IOException("The document store is unreachable (injected outage).") : inner.UpsertManyAsync(container, documents, cancellationToken);

        public Task<WriteResult> PatchAsync(DocumentContainer container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations, string? ifMatch, CancellationToken cancellationToken) => inner.PatchAsync(container, partitionKey, id, operations, ifMatch, cancellationToken);

        public Task<WriteResult> DeleteAsync(DocumentContainer container, string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken) => inner.DeleteAsync(container, partitionKey, id, ifMatch, cancellationToken);

        public IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, CancellationToken cancellationToken) => inner.QueryPartitionAsync(container, partitionKey, range, cancellationToken);
    }

    private async Task<(int Created, int Duplicates)> SendOverHttpAsync(ApiSession session, IReadOnlyList<string> records)
    {
        var created = 0;
        var duplicates = 0;
        foreach (var chunk in records.Chunk(500))
        {
            var response = await session.PostEventsAsync(Calls.Batch(chunk));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            created += body.GetProperty("created").GetInt32();
            duplicates += body.GetProperty("duplicates").GetInt32();
        }

        return (created, duplicates);
    }

    private async Task SendThroughEventHubsAsync(string key, IReadOnlyList<string> records)
    {
        var sequence = 0L;
        foreach (var chunk in records.Chunk(100))
        {
            // Each event body holds ten records, as an array.
            var bodies = chunk.Chunk(10).Select(c => Calls.Batch(c)).ToArray();
            var response = await InvokeIngestEventsAsync(bodies, bodies.Select(_ => (object)new Dictionary<string, string> { ["api-key"] = key }).ToArray(), "1", sequence);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            sequence += bodies.Length;
        }
    }

    /// <summary>The host's eventHubTrigger payload: string arrays double-encoded, as the host writes them.</summary>
    private Task<HttpResponseMessage> InvokeIngestEventsAsync(string[] bodies, object[] properties, string partition, long firstSequence) =>
        InvokeIngestEventsAsync(Client, bodies, properties, partition, firstSequence);

    private static Task<HttpResponseMessage> InvokeIngestEventsAsync(HttpClient client, string[] bodies, object[] properties, string partition, long firstSequence)
    {
        var payload = new
        {
            Data = new { events = JsonSerializer.Serialize(bodies) },
            Metadata = new Dictionary<string, object>
            {
                ["PartitionContext"] = new { EventHubName = "llm-calls", ConsumerGroup = "tokentally", PartitionId = partition },
                ["OffsetArray"] = JsonSerializer.Serialize(bodies.Select((_, i) => ((firstSequence + i) * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture))),
                ["SequenceNumberArray"] = JsonSerializer.Serialize(bodies.Select((_, i) => firstSequence + i)),
                ["EnqueuedTimeUtcArray"] = JsonSerializer.Serialize(bodies.Select(_ => DateTimeOffset.UtcNow)),
                ["PropertiesArray"] = JsonSerializer.Serialize(properties),
                ["sys"] = new { MethodName = "IngestEvents", UtcNow = DateTimeOffset.UtcNow, RandGuid = Guid.NewGuid() },
            },
        };
        return client.PostAsync("/IngestEvents", new StringContent(JsonSerializer.Serialize(payload), Encoding.UTF8, "application/json"));
    }

    private async Task<(int Calls, decimal Cost, long InputTokens)> HourTotalsAsync(string tenant, DateTimeOffset hour)
    {
        var store = Server.Services.GetRequiredService<CallRecordStore>();
        var (calls, cost, input) = (0, 0m, 0L);
        await foreach (var call in store.ReadHourAsync(tenant, hour, TestContext.Current.CancellationToken))
        {
            calls++;
            cost += call.Pricing.Cost?.Total ?? 0;
            input += call.Event.Usage.Input;
        }

        return (calls, cost, input);
    }

    private async Task<List<JsonElement>> DeadLettersAsync()
    {
        var blobs = Server.Services.GetRequiredService<IBlobStore>();
        var letters = new List<JsonElement>();
        await foreach (var blob in blobs.ListAsync(BlobContainer.DeadLetters, "eventhubs/", TestContext.Current.CancellationToken))
        {
            letters.Add(JsonDocument.Parse((await blobs.GetAsync(BlobContainer.DeadLetters, blob.Name, TestContext.Current.CancellationToken))!).RootElement.Clone());
        }

        return letters;
    }
}
