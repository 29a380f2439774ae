using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Storage.Cosmos;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Sqlite;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Documents;

/// <summary>The contract on SQLite, the local-mode store, with a fake clock.</summary>
public sealed class SqliteDocumentStoreContract : DocumentStoreContract, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tokentally-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteDocumentStore _store;

    public SqliteDocumentStoreContract() => _store = new SqliteDocumentStore(Path.Combine(_directory, "tokentally.db"), _time);

    protected override IDocumentStore Store => _store;

    protected override Task LetTimePassAsync(TimeSpan duration)
    {
        _time.Advance(duration);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PurgeRemovesOnlyExpiredDocuments()
    {
        var ct = TestContext.Current.CancellationToken;
        await Store.UpsertAsync(DocumentContainer.Calls, Doc("old", [], ttl: TimeSpan.FromSeconds(1)), WriteCondition.None, ct);
        await Store.UpsertAsync(DocumentContainer.Calls, Doc("new", []), WriteCondition.None, ct);
        _time.Advance(TimeSpan.FromSeconds(2));

        var purged = await _store.PurgeExpiredAsync(ct);

        Assert.Equal(1, purged);
        Assert.NotNull(await Store.GetAsync(DocumentContainer.Calls, PartitionKey, "new", ct));
    }

    [Fact]
    public async Task WrittenPagesReachTheDatabaseFileSoonWithoutWaitingForTheWritersOwnCheckpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = new FileInfo(Path.Combine(_directory, "tokentally.db"));
        var padding = new string('x', 1_000);

        // About 60 pages: far below the 4,000 after which the writer checkpoints by itself.
        await Store.UpsertManyAsync(DocumentContainer.Calls, Enumerable.Range(0, 200).Select(i => DocumentWrite.FromJson(PartitionKey, $"call-{i}", $$"""{"pad":"{{padding}}"}""")).ToList(), ct);
        for (var waited = 0; waited < 200 && database.Length < 200_000; waited++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            database.Refresh();
        }

        Assert.True(database.Length >= 200_000, $"The database file is {database.Length} bytes; the pages are still only in the WAL.");
    }

    [Fact]
    public async Task DisposingTwiceAfterWritesIsHarmless()
    {
        var ct = TestContext.Current.CancellationToken;
        await Store.UpsertAsync(DocumentContainer.Config, Doc("c", []), WriteCondition.None, ct);

        await _store.DisposeAsync();
        await _store.DisposeAsync();
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>The contract on the Cosmos DB test server, through the real Microsoft.Azure.Cosmos SDK in gateway mode.</summary>
public sealed class CosmosTestServerDocumentStoreContract(CosmosTestServerFixture server) : DocumentStoreContract
{
    protected override IDocumentStore Store { get; } = server.CreateStore();

    protected override string? TimeToLiveSkipReason =>
        "The Cosmos DB test server (@vercel/cosmosdb-server) does not implement TTL; the suite runs it on SQLite and real Cosmos DB.";

    protected override Task LetTimePassAsync(TimeSpan duration) => Task.Delay(duration, TestContext.Current.CancellationToken);

    [Fact]
    public async Task PointReadFindsAnExistingItem()
    {
        var ct = TestContext.Current.CancellationToken;
        await Store.UpsertAsync(DocumentContainer.Config, Doc("point", new() { ["v"] = 7 }), WriteCondition.None, ct);

        var read = await server.CreateStore(CosmosReadMode.PointRead).GetAsync(DocumentContainer.Config, PartitionKey, "point", ct);

        Assert.Equal(7, (int?)read!.Data["v"]);
    }
}

/// <summary>The contract on a real Cosmos DB account, when TOKENTALLY_TEST_COSMOS_ENDPOINT names one.</summary>
public sealed class CosmosDbDocumentStoreContract : DocumentStoreContract, IDisposable
{
    private readonly CosmosClient? _client;

    public CosmosDbDocumentStoreContract()
    {
        if (RealEndpoint.CosmosEndpoint is { } endpoint)
        {
            _client = RealEndpoint.CosmosKey is { } key
                ? new CosmosClient(endpoint, key, new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway })
                : new CosmosClient(endpoint, new Azure.Identity.DefaultAzureCredential(), new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway });
        }
    }

    protected override IDocumentStore Store => new CosmosDocumentStore(_client!, Environment.GetEnvironmentVariable("TOKENTALLY_TEST_COSMOS_DATABASE") ?? "tokentally");

    protected override void SkipIfUnavailable() => Assert.SkipWhen(_client is null, RealEndpoint.CosmosSkipReason);

    protected override Task LetTimePassAsync(TimeSpan duration) => Task.Delay(duration, TestContext.Current.CancellationToken);

    public void Dispose() => _client?.Dispose();
}
