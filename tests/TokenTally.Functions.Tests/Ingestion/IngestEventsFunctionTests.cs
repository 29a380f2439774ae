using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Application.Calls;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Documents;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Ingestion;

/// <summary>
/// IngestEvents invoked as the worker invokes it: the batch's bodies, and the binding data the host sends with an Event
/// Hubs batch (partition context; offset, sequence number, enqueued time and application properties per event). Every
/// test sends on an event hub name of its own, by which it finds its dead letters.
/// </summary>
public sealed class IngestEventsFunctionTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : IAsyncDisposable
{
    private readonly string _hub = "hub-" + Guid.NewGuid().ToString("N")[..10];
    private readonly DateTimeOffset _enqueued = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero).AddMinutes(-2);
    private WorkerApp? _app;

    [Fact]
    public async Task TheHostsSampleBatchStoresTheKeyedEventAndDeadLettersTheOtherWithWhereItCameFrom()
    {
        var project = await (await StartAsync()).NewProjectAsync();
        var sample = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Ingestion", "HostPayloads", "IngestEvents.json"), TestContext.Current.CancellationToken);
        var day = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var payload = JsonDocument.Parse(sample
            .Replace("2026-11-20", day, StringComparison.Ordinal)
            .Replace("tt_000000000000_not-a-real-key", project.Key, StringComparison.Ordinal)
            .Replace("llm-calls", _hub, StringComparison.Ordinal));
        var events = JsonSerializer.Deserialize<string[]>(payload.RootElement.GetProperty("Data").GetProperty("events").GetString()!)!;

        // The host gives the worker every metadata value as JSON text.
        var data = payload.RootElement.GetProperty("Metadata").EnumerateObject()
            .ToDictionary(p => p.Name, p => (object?)(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()));
        await InvokeAsync(events, data);

        var letter = Assert.Single(await DeadLettersAsync());
        Assert.NotNull(await project.FindCallAsync("eh-sample-1"));
        Assert.Equal("authentication: The event has no 'api-key' application property.", letter.GetProperty("reason").GetString());
        Assert.Equal(events[1], letter.GetProperty("body").GetString());
        var source = letter.GetProperty("source");
        Assert.Equal(_hub, source.GetProperty("eventHub").GetString());
        Assert.Equal("3", source.GetProperty("partitionId").GetString());
        Assert.Equal("4294968400", source.GetProperty("offset").GetString());
        Assert.Equal(1202, source.GetProperty("sequenceNumber").GetInt64());
        Assert.Equal(DateTimeOffset.Parse(day + "T10:00:01.2Z", CultureInfo.InvariantCulture), source.GetProperty("enqueuedTime").GetDateTimeOffset());
    }

    [Fact]
    public async Task EachBadEventAndBadRecordIsDeadLetteredAloneWithItsPositionAndReasonWhileTheGoodOnesAreStored()
    {
        var project = await (await StartAsync()).NewProjectAsync();
        var (revokedId, revoked) = await project.IssueKeyAsync("ingest");
        await project.RevokeKeyAsync(revokedId);
        var (readOnlyId, readOnly) = await project.IssueKeyAsync("read:project");
        var m = Guid.NewGuid().ToString("N")[..8];
        var badRecord = CallRecords.Record($"bad-{m}", input: -1);
        HubEvent[] events =
        [
            new(CallRecords.Record($"good-{m}-1"), project.Key),
            new(CallRecords.Record($"nokey-{m}"), null),
            new(CallRecords.Record($"revoked-{m}"), revoked),
            new(CallRecords.Record($"readonly-{m}"), readOnly),
            new($"[not json {m}", project.Key),
            new(CallRecords.Batch(CallRecords.Record($"good-{m}-2"), badRecord), project.Key),
            new($"{{not json {m}", project.Key),
        ];

        await InvokeAsync(events, HostBindingData(events, partition: "7", firstSequence: 500));

        var letters = (await DeadLettersAsync()).ToDictionary(l => l.GetProperty("source").GetProperty("sequenceNumber").GetInt64());
        Assert.NotNull(await project.FindCallAsync($"good-{m}-1"));
        Assert.NotNull(await project.FindCallAsync($"good-{m}-2"));
        Assert.Equal([501L, 502, 503, 504, 505, 506], letters.Keys.Order());
        Assert.All(letters, l =>
        {
            var source = l.Value.GetProperty("source");
            Assert.Equal(_hub, source.GetProperty("eventHub").GetString());
            Assert.Equal("7", source.GetProperty("partitionId").GetString());
            Assert.Equal((l.Key * 1000).ToString(CultureInfo.InvariantCulture), source.GetProperty("offset").GetString());
            Assert.Equal(_enqueued, source.GetProperty("enqueuedTime").GetDateTimeOffset());
        });
        Assert.Equal("authentication: The event has no 'api-key' application property.", Reason(letters[501]));
        Assert.StartsWith($"authentication: The API key {revokedId} was revoked at ", Reason(letters[502]), StringComparison.Ordinal);
        Assert.Equal($"authentication: Key {readOnlyId} lacks the 'ingest' scope.", Reason(letters[503]));
        Assert.StartsWith("unreadable body: ", Reason(letters[504]), StringComparison.Ordinal);
        Assert.Equal("invalid record", Reason(letters[505]));
        Assert.Equal(1, letters[505].GetProperty("recordIndex").GetInt32());
        Assert.Contains(letters[505].GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "inputTokens");
        Assert.Equal(badRecord, letters[505].GetProperty("body").GetString());
        Assert.Equal("invalid record", Reason(letters[506]));
        Assert.Equal(0, letters[506].GetProperty("recordIndex").GetInt32());
        Assert.All(new[] { 501L, 502, 503, 504, 506 }, sequence => Assert.Equal(events[sequence - 500].Body, letters[sequence].GetProperty("body").GetString()));
    }

    public static TheoryData<string> Shapes => new(BindingShapes.Keys);

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task BindingDataIsReadInEveryShapeTheWorkerMayPassItOn(string shape)
    {
        var project = await (await StartAsync()).NewProjectAsync();
        var m = Guid.NewGuid().ToString("N")[..8];
        HubEvent[] events = [new(CallRecords.Record($"shape-{m}"), project.Key), new(CallRecords.Record($"nokey-{m}"), null)];

        await InvokeAsync(events, BindingShapes[shape](this, events));

        Assert.NotNull(await project.FindCallAsync($"shape-{m}"));
        var source = Assert.Single(await DeadLettersAsync()).GetProperty("source");
        Assert.Equal(_hub, source.GetProperty("eventHub").GetString());
        Assert.Equal("5", source.GetProperty("partitionId").GetString());
        Assert.Equal("42000", source.GetProperty("offset").GetString());
        Assert.Equal(42, source.GetProperty("sequenceNumber").GetInt64());
        Assert.Equal(_enqueued, source.GetProperty("enqueuedTime").GetDateTimeOffset());
    }

    public static TheoryData<string, int> MalformedCases => new(MalformedBindingData.Select(c => (c.Key, c.Value.DeadLetters)));

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public async Task MalformedBindingDataNeverFailsTheInvocationAndLosesNoEvent(string malformation, int deadLetters)
    {
        var project = await (await StartAsync()).NewProjectAsync();
        var m = Guid.NewGuid().ToString("N")[..8];
        HubEvent[] events = [new(CallRecords.Record($"keyed-{m}"), project.Key), new(CallRecords.Record($"nokey-{m}"), null)];

        await InvokeAsync(events, MalformedBindingData[malformation].Data(this, events));

        // Without its metadata an event cannot be placed in the hub, but it is still stored or dead-lettered: every one, alone.
        var letters = await DeadLettersAsync(body => body.Contains(m, StringComparison.Ordinal));
        Assert.Equal(deadLetters, letters.Count);
        Assert.Equal(deadLetters == 1, await project.FindCallAsync($"keyed-{m}") is not null);
        Assert.Contains(letters, l => l.GetProperty("body").GetString() == events[1].Body);
    }

    [Theory]
    [InlineData(StoreFault.WritesRefused)]
    [InlineData(StoreFault.AnswersLost)]
    public async Task AStorageOutageFailsTheInvocationSoTheHostRetriesAndTheRetryStoresEachRecordOnce(StoreFault fault)
    {
        var app = await StartAsync(services =>
        {
            services.AddSingleton(sp => new FaultyDocumentStore(sp.GetRequiredService<PlacedDocumentStore>()));
            services.Replace(ServiceDescriptor.Singleton<IDocumentStore>(sp => sp.GetRequiredService<FaultyDocumentStore>()));
        });
        var store = app.Services.GetRequiredService<FaultyDocumentStore>();
        var project = await app.NewProjectAsync();
        var m = Guid.NewGuid().ToString("N")[..8];
        var at = DateTimeOffset.UtcNow.AddMinutes(-3);
        HubEvent[] events =
        [
            new(CallRecords.Batch(CallRecords.Record($"outage-{m}", at), CallRecords.Record(id: null, at, model: "gpt-4o-mini")), project.Key),
            new(CallRecords.Record($"nokey-{m}", at), null),
        ];
        var data = HostBindingData(events, partition: "2", firstSequence: 10);

        store.Fault = fault;
        var failure = await Record.ExceptionAsync(() => InvokeAsync(events, data));
        store.Fault = StoreFault.None;
        await InvokeAsync(events, data);

        Assert.NotNull(failure);
        Assert.NotNull(await project.FindCallAsync($"outage-{m}"));
        var stored = new List<string>();
        await foreach (var call in app.Services.GetRequiredService<CallRecordStore>().ReadHourAsync(project.Tenant, TimeBuckets.HourStart(at), TestContext.Current.CancellationToken))
        {
            stored.Add(call.Event.Model ?? "");
        }

        Assert.Equal(["gpt-4o", "gpt-4o-mini"], stored.Order(StringComparer.Ordinal));

        // The record sent without an id is named by its place in the hub, which a redelivery does not change.
        Assert.NotNull(await project.FindCallAsync($"eh:{_hub}:2:10:0"));
        Assert.Single(await DeadLettersAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Starts the app this test invokes the function of; <paramref name="services"/> may swap a service.</summary>
    private async Task<WorkerApp> StartAsync(Action<IServiceCollection>? services = null) =>
        _app = await WorkerApp.StartAsync(cosmos, azurite, services: services);

    /// <summary>One event: its body and the key in its <c>api-key</c> application property (none when null).</summary>
    public sealed record HubEvent(string Body, string? Key)
    {
        public Dictionary<string, string> Properties => Key is null ? new() { ["content-type"] = "application/json" } : new() { ["api-key"] = Key };
    }

    private static readonly Dictionary<string, Func<IngestEventsFunctionTests, HubEvent[], Dictionary<string, object?>>> BindingShapes = new()
    {
        ["JSON text, as the host sends it"] = (t, events) => t.HostBindingData(events, "5", 41),
        ["JSON text encoded twice"] = (t, events) => t.HostBindingData(events, "5", 41).ToDictionary(p => p.Key, p => (object?)JsonSerializer.Serialize((string)p.Value!)),
        ["JSON elements"] = (t, events) => t.HostBindingData(events, "5", 41).ToDictionary(p => p.Key, p => (object?)JsonDocument.Parse((string)p.Value!).RootElement.Clone()),
        ["arrays and dictionaries"] = (t, events) => new()
        {
            ["PartitionContext"] = new Dictionary<string, object?> { ["EventHubName"] = t._hub, ["ConsumerGroup"] = "tokentally", ["PartitionId"] = "5" },
            ["OffsetArray"] = events.Select((_, i) => ((41 + i) * 1000).ToString(CultureInfo.InvariantCulture)).ToArray(),
            ["SequenceNumberArray"] = events.Select((_, i) => 41L + i).ToArray(),
            ["EnqueuedTimeUtcArray"] = events.Select(_ => t._enqueued.UtcDateTime).ToArray(),
            ["PropertiesArray"] = events.Select(e => e.Properties.ToDictionary(p => p.Key, p => (object)p.Value)).ToArray(),
        },
        ["collections of numbers and objects"] = (t, events) => new()
        {
            ["PartitionContext"] = new { EventHubName = t._hub, PartitionId = 5 },
            ["OffsetArray"] = events.Select((_, i) => (41L + i) * 1000).ToList(),
            ["SequenceNumberArray"] = events.Select((_, i) => ((41 + i)).ToString(CultureInfo.InvariantCulture)).ToList(),
            ["EnqueuedTimeUtcArray"] = events.Select(_ => t._enqueued).ToList(),
            ["PropertiesArray"] = events.Select(e => JsonSerializer.Serialize(e.Properties)).ToList(),
        },
    };

    private static readonly Dictionary<string, (int DeadLetters, Func<IngestEventsFunctionTests, HubEvent[], Dictionary<string, object?>> Data)> MalformedBindingData = new()
    {
        ["no binding data at all"] = (2, (_, _) => []),
        ["every array one element short"] = (2, (t, events) => t.HostBindingData(events[..1], "1", 1)),
        ["every array one element long"] = (2, (t, events) => t.HostBindingData([.. events, events[0]], "1", 1)),
        ["numbers and booleans where arrays belong"] = (2, (t, events) => new()
        {
            ["PartitionContext"] = 17,
            ["OffsetArray"] = 42,
            ["SequenceNumberArray"] = 3.5,
            ["EnqueuedTimeUtcArray"] = true,
            ["PropertiesArray"] = 7,
        }),
        ["text that is not JSON"] = (2, (_, _) => new()
        {
            ["PartitionContext"] = "{partition",
            ["OffsetArray"] = "[1,",
            ["SequenceNumberArray"] = "not json",
            ["EnqueuedTimeUtcArray"] = "",
            ["PropertiesArray"] = "[{\"api-key\":",
        }),
        ["properties that are not objects"] = (2, (t, events) => t.HostBindingData(events, "1", 1).With("PropertiesArray", "[\"api-key\", 5]")),
        ["nonsense array elements"] = (1, (t, events) => t.HostBindingData(events, "1", 1)
            .With("PartitionContext", "[1,2]")
            .With("OffsetArray", "[{}, []]")
            .With("SequenceNumberArray", "[\"first\", null]")
            .With("EnqueuedTimeUtcArray", "[\"yesterday\", 12]")),
        ["values no serializer can write"] = (1, (t, events) => t.HostBindingData(events, "1", 1)
            .With("PartitionContext", typeof(string))
            .With("OffsetArray", double.NaN)
            .With("SequenceNumberArray", Cyclic())
            .With("EnqueuedTimeUtcArray", new Func<int>(() => 1))),
    };

    /// <summary>What the host sends with a batch: every value as JSON text.</summary>
    private Dictionary<string, object?> HostBindingData(HubEvent[] events, string partition, long firstSequence) => new()
    {
        ["PartitionContext"] = JsonSerializer.Serialize(new { FullyQualifiedNamespace = "ns.servicebus.windows.net", EventHubName = _hub, ConsumerGroup = "tokentally", PartitionId = partition }),
        ["OffsetArray"] = JsonSerializer.Serialize(events.Select((_, i) => ((firstSequence + i) * 1000).ToString(CultureInfo.InvariantCulture))),
        ["SequenceNumberArray"] = JsonSerializer.Serialize(events.Select((_, i) => firstSequence + i)),
        ["EnqueuedTimeUtcArray"] = JsonSerializer.Serialize(events.Select(_ => _enqueued)),
        ["PropertiesArray"] = JsonSerializer.Serialize(events.Select(e => e.Properties)),
        ["sys"] = JsonSerializer.Serialize(new { MethodName = IngestEventsFunction.Name, UtcNow = _enqueued, RandGuid = Guid.NewGuid() }),
    };

    private static Dictionary<string, object?> Cyclic()
    {
        var cycle = new Dictionary<string, object?>();
        cycle["self"] = cycle;
        return cycle;
    }

    private Task InvokeAsync(HubEvent[] events, IReadOnlyDictionary<string, object?> data) => InvokeAsync(events.Select(e => e.Body).ToArray(), data);

    private async Task InvokeAsync(string[] events, IReadOnlyDictionary<string, object?> data)
    {
        await using var scope = _app!.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<IngestEventsFunction>(scope.ServiceProvider);
        await function.RunAsync(events, new TestFunctionContext(scope.ServiceProvider, data, TestContext.Current.CancellationToken));
    }

    /// <summary>This test's dead letters, read back from the dead-letters container: those from its hub, or those whose body matches.</summary>
    private async Task<List<JsonElement>> DeadLettersAsync(Func<string, bool>? bodyMatches = null)
    {
        var blobs = _app!.Services.GetRequiredService<IBlobStore>();
        var letters = new List<JsonElement>();
        await foreach (var blob in blobs.ListAsync(BlobContainer.DeadLetters, "eventhubs/", TestContext.Current.CancellationToken))
        {
            using var document = JsonDocument.Parse((await blobs.GetAsync(BlobContainer.DeadLetters, blob.Name, TestContext.Current.CancellationToken))!);
            var letter = document.RootElement;
            var mine = bodyMatches is null
                ? letter.GetProperty("source").TryGetProperty("eventHub", out var hub) && hub.GetString() == _hub
                : bodyMatches(letter.GetProperty("body").GetString()!);
            if (mine)
            {
                letters.Add(letter.Clone());
            }
        }

        return letters;
    }

    private static string Reason(JsonElement letter) => letter.GetProperty("reason").GetString()!;
}

internal static class BindingDataExtensions
{
    public static Dictionary<string, object?> With(this Dictionary<string, object?> data, string name, object? value)
    {
        data[name] = value;
        return data;
    }
}
