using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Tables;
using TokenTally.Storage.Tests.Documents;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Tables;

/// <summary>The contract on Azurite's table endpoint, through Azure.Data.Tables, with a fake clock for expiry.</summary>
public sealed class AzuriteTableDocumentStoreContract : DocumentStoreContract
{
    private static readonly SemaphoreSlim TablesCreated = new(1, 1);
    private static bool _created;
    private readonly AzuriteFixture _azurite;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
    private readonly RequestCounter _requests = new();
    private readonly TableDocumentStore _store;

    public AzuriteTableDocumentStoreContract(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _store = NewStore("contract");
    }

    protected override IDocumentStore Store => _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override async Task LetTimePassAsync(TimeSpan duration)
    {
        _time.Advance(duration);
        await Task.CompletedTask;
    }

    protected override void SkipIfUnavailable()
    {
        TablesCreated.Wait(Ct);
        try
        {
            if (!_created)
            {
                _store.EnsureCreatedAsync(Ct).GetAwaiter().GetResult();
                _created = true;
            }
        }
        finally
        {
            TablesCreated.Release();
        }
    }

    [Fact]
    public async Task PurgeDeletesExpiredEntitiesPartitionByPartitionAndKeepsTheRest()
    {
        var store = NewStore("purge" + Guid.NewGuid().ToString("N")[..8]);
        await store.EnsureCreatedAsync(Ct);
        var hours = Enumerable.Range(0, 3).Select(h => $"tenant|2026-11-20T0{h}").ToList();
        foreach (var hour in hours)
        {
            await store.UpsertManyAsync(DocumentContainer.Calls, Enumerable.Range(0, 150).Select(i => new DocumentWrite(hour, $"c{i}", [], "r", TimeSpan.FromHours(1)) { LookupKey = $"tenant|{hour}|{i}" }).ToList(), Ct);
        }

        await store.UpsertAsync(DocumentContainer.Calls, new DocumentWrite(hours[0], "kept", [], "r"), WriteCondition.None, Ct);
        _time.Advance(TimeSpan.FromHours(2));

        var purged = await store.PurgeExpiredAsync(Ct);

        // 450 calls and the 450 pointers of their lookup keys.
        Assert.Equal(900, purged);
        var left = await ToListAsync(store.Table(DocumentContainer.Calls).QueryAsync<TableEntity>(cancellationToken: Ct));
        Assert.Equal("kept", Assert.Single(left).RowKey);
        Assert.Equal(0, await store.PurgeExpiredAsync(Ct));
    }

    [Fact]
    public async Task PurgeReadsOnlyThePartitionsWhoseDocumentsExpiredAndKeepsWhatWasRewrittenToLiveLonger()
    {
        var store = NewStore("reg" + Guid.NewGuid().ToString("N")[..8]);
        await store.EnsureCreatedAsync(Ct);
        var (expiring, lasting, later) = ("tenant|2026-11-20T08", "tenant|2026-11-20T09", "tenant|2026-11-20T10");
        await store.UpsertManyAsync(DocumentContainer.Calls, [Call(expiring, "gone", TimeSpan.FromHours(1)), Call(expiring, "rewritten", TimeSpan.FromHours(1)), Call(later, "not-yet", TimeSpan.FromHours(5))], Ct);
        await store.UpsertManyAsync(DocumentContainer.Calls, Enumerable.Range(0, 300).Select(i => Call(lasting, $"kept-{i}", ttl: null)).ToList(), Ct);
        _time.Advance(TimeSpan.FromMinutes(30));
        await store.UpsertManyAsync(DocumentContainer.Calls, [Call(expiring, "rewritten", TimeSpan.FromHours(3), note: "again")], Ct);
        _time.Advance(TimeSpan.FromHours(1.5));
        _requests.Reset();

        var purged = await store.PurgeExpiredAsync(Ct);

        // The call and its pointer. Requests: per container the registry query; for the one due partition its query, one
        // delete transaction, the pointer's read and delete, the registry row's delete.
        Assert.Equal(2, purged);
        Assert.InRange(_requests.Count, 5 + 5, 5 + 10);
        Assert.Null(await store.FindByLookupKeyAsync(DocumentContainer.Calls, $"{expiring}|gone", Ct));
        Assert.Equal("again", (string?)(await store.FindByLookupKeyAsync(DocumentContainer.Calls, $"{expiring}|rewritten", Ct))!.Data["note"]);
        Assert.NotNull(await store.GetAsync(DocumentContainer.Calls, later, "not-yet", Ct));

        _time.Advance(TimeSpan.FromHours(4));
        Assert.Equal(4, await store.PurgeExpiredAsync(Ct));
        Assert.Null(await store.FindByLookupKeyAsync(DocumentContainer.Calls, $"{expiring}|rewritten", Ct));
        Assert.Equal(300, (await ToListAsync(store.QueryPartitionAsync(DocumentContainer.Calls, lasting, RangeKeyFilter.All, Ct))).Count);
        Assert.Equal(300 + 300, (await ToListAsync(store.Table(DocumentContainer.Calls).QueryAsync<TableEntity>(cancellationToken: Ct))).Count);
    }

    [Fact]
    public async Task ATableThatDoesNotExistIsNamedWithTheSettingThatCreatesIt()
    {
        var store = NewStore("none" + Guid.NewGuid().ToString("N")[..8]);

        var read = await Assert.ThrowsAsync<TableStoreException>(() => store.GetAsync(DocumentContainer.Config, "p", "id", Ct));
        var write = await Assert.ThrowsAsync<TableStoreException>(() => store.UpsertManyAsync(DocumentContainer.Calls, [Call("p", "id", TimeSpan.FromHours(1))], Ct));

        Assert.Contains($"Table '{store.Table(DocumentContainer.Config).Name}' does not exist", read.Message, StringComparison.Ordinal);
        Assert.Contains("TokenTally:Storage:CreateTablesIfNotExists", write.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APurgeLeavesThePointerOfAKeyThatMovedToALaterDocument()
    {
        var store = NewStore("mov" + Guid.NewGuid().ToString("N")[..8]);
        await store.EnsureCreatedAsync(Ct);
        await store.UpsertManyAsync(DocumentContainer.Calls, [Call("tenant|2026-11-20T08", "call", TimeSpan.FromHours(1))], Ct);
        await store.UpsertManyAsync(DocumentContainer.Calls, [Call("tenant|2026-11-20T09", "call", TimeSpan.FromHours(6), lookupKey: "tenant|2026-11-20T08|call")], Ct);
        _time.Advance(TimeSpan.FromHours(3));

        await store.PurgeExpiredAsync(Ct);

        Assert.Equal("tenant|2026-11-20T09", (await store.FindByLookupKeyAsync(DocumentContainer.Calls, "tenant|2026-11-20T08|call", Ct))!.PartitionKey);
    }

    [Fact]
    public async Task ADocumentOverTheEntityLimitIsRefusedByNameAndNothingOfItsBatchIsWritten()
    {
        SkipIfUnavailable();
        var partition = "pk-" + Guid.NewGuid().ToString("N");
        var huge = new DocumentWrite(partition, "huge", new JsonObject { ["text"] = new string('x', 600_000) });

        var error = await Assert.ThrowsAsync<DocumentTooLargeException>(() => _store.UpsertManyAsync(DocumentContainer.Calls, [new DocumentWrite(partition, "small", []), huge], Ct));

        Assert.Equal("huge", error.Id);
        Assert.Contains("'huge'", error.Message, StringComparison.Ordinal);
        Assert.Empty(await ToListAsync(_store.QueryPartitionAsync(DocumentContainer.Calls, partition, RangeKeyFilter.All, Ct)));
    }

    [Fact]
    public async Task ADocumentSpanningManyPropertiesUpToTheLimitRoundTrips()
    {
        SkipIfUnavailable();
        var partition = "pk-" + Guid.NewGuid().ToString("N");
        var json = $$"""{"text":"{{string.Concat(Enumerable.Repeat("ab🚀", 100_000))}}"}""";

        await _store.UpsertAsync(DocumentContainer.Traces, DocumentWrite.FromJson(partition, "wide", json), WriteCondition.None, Ct);

        Assert.Equal(JsonNode.Parse(json)!["text"]!.GetValue<string>(), (string?)(await _store.GetAsync(DocumentContainer.Traces, partition, "wide", Ct))!.Data["text"]);
    }

    [Theory]
    [InlineData("tenant/with/slashes", "id#1?x")]
    [InlineData("back\\slash~tilde", "tab\there")]
    [InlineData("quote'd", "percent%20and~7E")]
    public async Task KeysWithCharactersTheServiceForbidsRoundTrip(string partition, string id)
    {
        SkipIfUnavailable();
        partition += Guid.NewGuid().ToString("N");

        await _store.UpsertManyAsync(DocumentContainer.Config, [new DocumentWrite(partition, id, new JsonObject { ["v"] = 1 }) { LookupKey = partition + id }], Ct);

        var found = await _store.FindByLookupKeyAsync(DocumentContainer.Config, partition + id, Ct);
        Assert.Equal((partition, id), (found!.PartitionKey, found.Id));
        Assert.Equal(id, Assert.Single(await ToListAsync(_store.QueryPartitionAsync(DocumentContainer.Config, partition, RangeKeyFilter.All, Ct))).Id);
        Assert.Equal(WriteStatus.Succeeded, (await _store.DeleteAsync(DocumentContainer.Config, partition, id, null, Ct)).Status);
    }

    [Fact]
    public async Task NewDocumentsAndTheirLookupKeysAreWrittenInTransactionsOfAHundred()
    {
        SkipIfUnavailable();
        var partition = "pk-" + Guid.NewGuid().ToString("N");
        var calls = Enumerable.Range(0, 250).Select(i => DocumentWrite.FromJson(partition, $"c{i}", "{}", "r", lookupKey: $"{partition}|{i}", contentHash: "h")).ToList();
        _requests.Reset();

        var results = await _store.UpsertManyAsync(DocumentContainer.Calls, calls, Ct);

        Assert.All(results, r => Assert.True(r.Created));
        // 3 transactions for the calls; the pointers spread over 64 partitions, at most 64 + 2 transactions (250 = 64 × 3 + 58).
        Assert.InRange(_requests.Count, 3 + 64, 3 + 64 + 64);
        Assert.Equal(250, (await ToListAsync(_store.QueryPartitionAsync(DocumentContainer.Calls, partition, RangeKeyFilter.All, Ct))).Count);
    }

    /// <summary>A call-like document whose lookup key is its partition and id unless given.</summary>
    private static DocumentWrite Call(string partition, string id, TimeSpan? ttl, string? note = null, string? lookupKey = null) =>
        DocumentWrite.FromJson(partition, id, new JsonObject { ["note"] = note }.ToJsonString(), "r", ttl, lookupKey ?? $"{partition}|{id}");

    private TableDocumentStore NewStore(string prefix)
    {
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        return new TableDocumentStore(new TableServiceClient(_azurite.ConnectionString, options), _time, prefix);
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => _count;

        public void Reset() => _count = 0;

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
