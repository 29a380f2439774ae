using System.Text.Json.Nodes;
using TokenTally.Storage.Documents;

namespace TokenTally.Storage.Tests.Documents;

/// <summary>
/// What every <see cref="IDocumentStore"/> adapter promises. Each backend derives once; each test
/// writes under its own partition key, so tests never see each other's documents.
/// </summary>
public abstract class DocumentStoreContract
{
    private readonly string _pk = "pk-" + Guid.NewGuid().ToString("N");

    protected abstract IDocumentStore Store { get; }

    /// <summary>Null when the backend expires documents; otherwise the reason TTL tests are skipped.</summary>
    protected virtual string? TimeToLiveSkipReason => null;

    protected virtual void SkipIfUnavailable()
    {
    }

    /// <summary>Lets <paramref name="duration"/> pass for the store's clock.</summary>
    protected abstract Task LetTimePassAsync(TimeSpan duration);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UpsertThenGetReturnsTheDataAndAnETag()
    {
        SkipIfUnavailable();
        var written = await Store.UpsertAsync(DocumentContainer.Config, Doc("a", new JsonObject { ["name"] = "alpha", ["n"] = 3 }, "rk-1"), WriteCondition.None, Ct);

        var read = await Store.GetAsync(DocumentContainer.Config, _pk, "a", Ct);

        Assert.True(written.Succeeded);
        Assert.NotNull(read);
        Assert.Equal("alpha", (string?)read.Data["name"]);
        Assert.Equal(3, (int?)read.Data["n"]);
        Assert.Equal("rk-1", read.RangeKey);
        Assert.Equal(written.ETag, read.ETag);
        Assert.False(string.IsNullOrEmpty(read.ETag));
    }

    [Fact]
    public async Task GetOfMissingDocumentReturnsNull()
    {
        SkipIfUnavailable();
        Assert.Null(await Store.GetAsync(DocumentContainer.Config, _pk, "missing", Ct));
    }

    [Fact]
    public async Task UpsertReplacesTheDocumentAndChangesItsETag()
    {
        SkipIfUnavailable();
        var first = await Store.UpsertAsync(DocumentContainer.Config, Doc("a", new JsonObject { ["v"] = 1 }), WriteCondition.None, Ct);
        var second = await Store.UpsertAsync(DocumentContainer.Config, Doc("a", new JsonObject { ["v"] = 2 }), WriteCondition.None, Ct);

        var read = await Store.GetAsync(DocumentContainer.Config, _pk, "a", Ct);

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(2, (int?)read!.Data["v"]);
    }

    [Fact]
    public async Task CreateConflictsWhenTheDocumentExists()
    {
        SkipIfUnavailable();
        var created = await Store.UpsertAsync(DocumentContainer.Runs, Doc("lease", new JsonObject { ["owner"] = "one" }), WriteCondition.IfNotExists, Ct);
        var again = await Store.UpsertAsync(DocumentContainer.Runs, Doc("lease", new JsonObject { ["owner"] = "two" }), WriteCondition.IfNotExists, Ct);

        var read = await Store.GetAsync(DocumentContainer.Runs, _pk, "lease", Ct);

        Assert.Equal(WriteStatus.Succeeded, created.Status);
        Assert.Equal(WriteStatus.Conflict, again.Status);
        Assert.Equal("one", (string?)read!.Data["owner"]);
    }

    [Fact]
    public async Task ReplaceWithTheCurrentETagSucceeds()
    {
        SkipIfUnavailable();
        var created = await Store.UpsertAsync(DocumentContainer.Runs, Doc("r", new JsonObject { ["v"] = 1 }), WriteCondition.None, Ct);

        var replaced = await Store.UpsertAsync(DocumentContainer.Runs, Doc("r", new JsonObject { ["v"] = 2 }), WriteCondition.IfMatch(created.ETag!), Ct);

        Assert.True(replaced.Succeeded);
        Assert.Equal(2, (int?)(await Store.GetAsync(DocumentContainer.Runs, _pk, "r", Ct))!.Data["v"]);
    }

    [Fact]
    public async Task ReplaceWithAStaleETagIsRejectedAndChangesNothing()
    {
        SkipIfUnavailable();
        var created = await Store.UpsertAsync(DocumentContainer.Runs, Doc("r", new JsonObject { ["v"] = 1 }), WriteCondition.None, Ct);
        await Store.UpsertAsync(DocumentContainer.Runs, Doc("r", new JsonObject { ["v"] = 2 }), WriteCondition.None, Ct);

        var stale = await Store.UpsertAsync(DocumentContainer.Runs, Doc("r", new JsonObject { ["v"] = 3 }), WriteCondition.IfMatch(created.ETag!), Ct);

        Assert.Equal(WriteStatus.PreconditionFailed, stale.Status);
        Assert.Equal(2, (int?)(await Store.GetAsync(DocumentContainer.Runs, _pk, "r", Ct))!.Data["v"]);
    }

    [Fact]
    public async Task ReplaceOfAMissingDocumentIsNotFound()
    {
        SkipIfUnavailable();
        var result = await Store.UpsertAsync(DocumentContainer.Runs, Doc("ghost", []), WriteCondition.IfMatch("\"nope\""), Ct);

        Assert.Equal(WriteStatus.NotFound, result.Status);
    }

    [Fact]
    public async Task OnlyOneOfManyConcurrentWritersHoldingTheSameETagWins()
    {
        SkipIfUnavailable();
        var created = await Store.UpsertAsync(DocumentContainer.Runs, Doc("lease", new JsonObject { ["owner"] = null }), WriteCondition.None, Ct);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Store.UpsertAsync(DocumentContainer.Runs, Doc("lease", new JsonObject { ["owner"] = $"worker-{i}" }), WriteCondition.IfMatch(created.ETag!), Ct)));

        Assert.Single(attempts, a => a.Succeeded);
        Assert.All(attempts.Where(a => !a.Succeeded), a => Assert.Equal(WriteStatus.PreconditionFailed, a.Status));
    }

    [Fact]
    public async Task DeleteRemovesTheDocumentAndReportsWhenThereIsNone()
    {
        SkipIfUnavailable();
        await Store.UpsertAsync(DocumentContainer.Config, Doc("d", []), WriteCondition.None, Ct);

        var deleted = await Store.DeleteAsync(DocumentContainer.Config, _pk, "d", null, Ct);
        var again = await Store.DeleteAsync(DocumentContainer.Config, _pk, "d", null, Ct);

        Assert.Equal(WriteStatus.Succeeded, deleted.Status);
        Assert.Equal(WriteStatus.NotFound, again.Status);
        Assert.Null(await Store.GetAsync(DocumentContainer.Config, _pk, "d", Ct));
    }

    [Fact]
    public async Task DeleteWithAStaleETagKeepsTheDocument()
    {
        SkipIfUnavailable();
        var created = await Store.UpsertAsync(DocumentContainer.Config, Doc("d", new JsonObject { ["v"] = 1 }), WriteCondition.None, Ct);
        await Store.UpsertAsync(DocumentContainer.Config, Doc("d", new JsonObject { ["v"] = 2 }), WriteCondition.None, Ct);

        var result = await Store.DeleteAsync(DocumentContainer.Config, _pk, "d", created.ETag, Ct);

        Assert.Equal(WriteStatus.PreconditionFailed, result.Status);
        Assert.NotNull(await Store.GetAsync(DocumentContainer.Config, _pk, "d", Ct));
    }

    [Fact]
    public async Task QueryReturnsOnlyThePartitionsDocumentsInsideTheHalfOpenRange()
    {
        SkipIfUnavailable();
        foreach (var hour in new[] { "08", "09", "10", "11" })
        {
            await Store.UpsertAsync(DocumentContainer.Calls, Doc($"call-{hour}", new JsonObject { ["hour"] = hour }, $"2026-11-20T{hour}:00:00Z"), WriteCondition.None, Ct);
        }

        var otherPartition = "other-" + Guid.NewGuid().ToString("N");
        await Store.UpsertAsync(DocumentContainer.Calls, new DocumentWrite(otherPartition, "call-09", [], "2026-11-20T09:00:00Z"), WriteCondition.None, Ct);
        await Store.UpsertAsync(DocumentContainer.Traces, Doc("call-09", [], "2026-11-20T09:00:00Z"), WriteCondition.None, Ct);

        var found = await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, _pk, new RangeKeyFilter("2026-11-20T09:00:00Z", "2026-11-20T11:00:00Z"), Ct));

        Assert.Equal(["call-09", "call-10"], found.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(found, d => Assert.Equal(_pk, d.PartitionKey));
    }

    [Fact]
    public async Task QueryWithOpenBoundsReturnsTheWholePartition()
    {
        SkipIfUnavailable();
        await Store.UpsertAsync(DocumentContainer.Rollups, Doc("a", [], "1"), WriteCondition.None, Ct);
        await Store.UpsertAsync(DocumentContainer.Rollups, Doc("b", [], "2"), WriteCondition.None, Ct);

        var all = await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Rollups, _pk, RangeKeyFilter.All, Ct));
        var from2 = await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Rollups, _pk, new RangeKeyFilter("2", null), Ct));

        Assert.Equal(2, all.Count);
        Assert.Equal("b", Assert.Single(from2).Id);
    }

    [Fact]
    public async Task QueryOfAnEmptyPartitionReturnsNothing()
    {
        SkipIfUnavailable();
        Assert.Empty(await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, _pk, RangeKeyFilter.All, Ct)));
    }

    [Fact]
    public async Task PatchSetsIncrementsAndRemovesInOneStep()
    {
        SkipIfUnavailable();
        await Store.UpsertAsync(DocumentContainer.Runs, Doc("p", new JsonObject { ["status"] = "running", ["attempts"] = 1, ["error"] = "boom", ["steps"] = new JsonObject { ["rollup"] = "pending" } }), WriteCondition.None, Ct);

        var result = await Store.PatchAsync(DocumentContainer.Runs, _pk, "p",
            [PatchOperation.Set("/status", "succeeded"), PatchOperation.Increment("/attempts", 2), PatchOperation.Remove("/error"), PatchOperation.Set("/steps/rollup", "done"), PatchOperation.Increment("/retries", 1)],
            null, Ct);
        var read = await Store.GetAsync(DocumentContainer.Runs, _pk, "p", Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(result.ETag, read!.ETag);
        Assert.Equal("succeeded", (string?)read.Data["status"]);
        Assert.Equal(3, (int?)read.Data["attempts"]);
        Assert.Equal(1, (int?)read.Data["retries"]);
        Assert.False(read.Data.ContainsKey("error"));
        Assert.Equal("done", (string?)read.Data["steps"]!["rollup"]);
    }

    [Fact]
    public async Task PatchWithAStaleETagIsRejected()
    {
        SkipIfUnavailable();
        var created = await Store.UpsertAsync(DocumentContainer.Runs, Doc("p", new JsonObject { ["n"] = 1 }), WriteCondition.None, Ct);
        await Store.PatchAsync(DocumentContainer.Runs, _pk, "p", [PatchOperation.Increment("/n", 1)], null, Ct);

        var stale = await Store.PatchAsync(DocumentContainer.Runs, _pk, "p", [PatchOperation.Increment("/n", 1)], created.ETag, Ct);

        Assert.Equal(WriteStatus.PreconditionFailed, stale.Status);
        Assert.Equal(2, (int?)(await Store.GetAsync(DocumentContainer.Runs, _pk, "p", Ct))!.Data["n"]);
    }

    [Fact]
    public async Task PatchOfAMissingDocumentIsNotFound()
    {
        SkipIfUnavailable();
        var result = await Store.PatchAsync(DocumentContainer.Runs, _pk, "ghost", [PatchOperation.Set("/a", 1)], null, Ct);

        Assert.Equal(WriteStatus.NotFound, result.Status);
    }

    [Fact]
    public async Task ConcurrentIncrementsAreNeverLost()
    {
        SkipIfUnavailable();
        await Store.UpsertAsync(DocumentContainer.Rollups, Doc("counter", new JsonObject { ["n"] = 0 }), WriteCondition.None, Ct);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Store.PatchAsync(DocumentContainer.Rollups, _pk, "counter", [PatchOperation.Increment("/n", 1)], null, Ct)));

        Assert.Equal(10, (int?)(await Store.GetAsync(DocumentContainer.Rollups, _pk, "counter", Ct))!.Data["n"]);
    }

    [Fact]
    public async Task PatchBeyondTheCosmosOperationLimitIsRefused()
    {
        SkipIfUnavailable();
        var operations = Enumerable.Range(0, PatchOperation.MaxOperationsPerPatch + 1).Select(i => PatchOperation.Set($"/f{i}", i)).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => Store.PatchAsync(DocumentContainer.Runs, _pk, "p", operations, null, Ct));
    }

    [Fact]
    public async Task NestedUnicodeAndLargeDocumentsRoundTripExactly()
    {
        SkipIfUnavailable();
        var data = new JsonObject
        {
            ["text"] = "Grüße, 東京, emoji 🚀, quote \" and backslash \\",
            ["nested"] = new JsonObject { ["list"] = new JsonArray(1, 2.5m, "three", null, true) },
            ["money"] = 0.000123456789m,
            ["blob"] = new string('x', 100_000),
        };
        await Store.UpsertAsync(DocumentContainer.Traces, Doc("big", data), WriteCondition.None, Ct);

        var read = await Store.GetAsync(DocumentContainer.Traces, _pk, "big", Ct);

        Assert.True(JsonNode.DeepEquals(data, read!.Data), read.Data.ToJsonString());
    }

    [Fact]
    public async Task ContainersAreIndependent()
    {
        SkipIfUnavailable();
        await Store.UpsertAsync(DocumentContainer.Config, Doc("same", new JsonObject { ["in"] = "config" }), WriteCondition.None, Ct);
        await Store.UpsertAsync(DocumentContainer.Rollups, Doc("same", new JsonObject { ["in"] = "rollups" }), WriteCondition.None, Ct);

        Assert.Equal("config", (string?)(await Store.GetAsync(DocumentContainer.Config, _pk, "same", Ct))!.Data["in"]);
        Assert.Equal("rollups", (string?)(await Store.GetAsync(DocumentContainer.Rollups, _pk, "same", Ct))!.Data["in"]);
    }

    [Fact]
    public async Task UpsertManyWritesEveryDocumentAndSaysWhichWereNew()
    {
        SkipIfUnavailable();
        await Store.UpsertAsync(DocumentContainer.Calls, Doc("call-0", new JsonObject { ["v"] = 0 }, "r"), WriteCondition.None, Ct);
        var batch = Enumerable.Range(0, 50).Select(i => Doc($"call-{i}", new JsonObject { ["v"] = i + 100 }, "r")).ToList();

        var results = await Store.UpsertManyAsync(DocumentContainer.Calls, batch, Ct);
        var again = await Store.UpsertManyAsync(DocumentContainer.Calls, batch, Ct);
        var stored = await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, _pk, RangeKeyFilter.All, Ct));

        Assert.Equal(50, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.False(results[0].Created);
        Assert.All(results.Skip(1), r => Assert.True(r.Created));
        Assert.All(again, r => Assert.False(r.Created));
        Assert.Equal(50, stored.Count);
        Assert.Equal(Enumerable.Range(100, 50), stored.Select(d => (int)d.Data["v"]!).Order());
    }

    [Fact]
    public async Task DocumentsWrittenAsJsonTextReadBackLikeTrees()
    {
        SkipIfUnavailable();
        const string json = """{"name":"caf\u00e9 \ud83d\ude80","n":12.5,"list":[1,{"deep":true}],"none":null}""";
        var single = await Store.UpsertAsync(DocumentContainer.Config, DocumentWrite.FromJson(_pk, "text-1", json, "r"), WriteCondition.IfNotExists, Ct);
        var many = await Store.UpsertManyAsync(DocumentContainer.Config, [DocumentWrite.FromJson(_pk, "text-2", json, "r"), Doc("tree", new JsonObject { ["n"] = 1 }, "r")], Ct);

        var first = await Store.GetAsync(DocumentContainer.Config, _pk, "text-1", Ct);
        var second = await Store.GetAsync(DocumentContainer.Config, _pk, "text-2", Ct);

        Assert.True(single.Created);
        Assert.All(many, r => Assert.True(r.Created));
        foreach (var document in new[] { first!, second! })
        {
            Assert.Equal("café 🚀", (string?)document.Data["name"]);
            Assert.Equal(12.5m, (decimal?)document.Data["n"]);
            Assert.True((bool?)document.Data["list"]![1]!["deep"]);
            Assert.Equal("r", document.RangeKey);
        }
    }

    [Fact]
    public async Task ASingleUpsertSaysWhetherItCreatedTheDocument()
    {
        SkipIfUnavailable();
        var first = await Store.UpsertAsync(DocumentContainer.Config, Doc("c", []), WriteCondition.None, Ct);
        var second = await Store.UpsertAsync(DocumentContainer.Config, Doc("c", []), WriteCondition.None, Ct);

        Assert.True(first.Created);
        Assert.False(second.Created);
    }

    [Fact]
    public async Task ALookupKeyFindsItsDocumentWhateverItsPartition()
    {
        SkipIfUnavailable();
        var (first, second) = ($"{_pk}|first", $"{_pk}|second");
        await Store.UpsertManyAsync(DocumentContainer.Calls, [DocumentWrite.FromJson($"{_pk}-a", "call-1", """{"v":1}""", lookupKey: first)], Ct);
        await Store.UpsertAsync(DocumentContainer.Calls, new DocumentWrite($"{_pk}-b", "call-2", new JsonObject { ["v"] = 2 }) { LookupKey = second }, WriteCondition.None, Ct);

        var foundFirst = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, first, Ct);
        var foundSecond = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, second, Ct);

        Assert.Equal(($"{_pk}-a", "call-1", 1), (foundFirst!.PartitionKey, foundFirst.Id, (int)foundFirst.Data["v"]!));
        Assert.Equal(($"{_pk}-b", "call-2", 2), (foundSecond!.PartitionKey, foundSecond.Id, (int)foundSecond.Data["v"]!));
        Assert.Null(await Store.FindByLookupKeyAsync(DocumentContainer.Calls, $"{_pk}|missing", Ct));
        Assert.Null(await Store.FindByLookupKeyAsync(DocumentContainer.Config, first, Ct));
    }

    [Fact]
    public async Task ALookupKeyFindsTheDocumentLastWrittenWithIt()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|moving";
        DocumentWrite Write(string partition) => DocumentWrite.FromJson(partition, "call", $$"""{"in":"{{partition}}"}""", lookupKey: key);

        await Store.UpsertManyAsync(DocumentContainer.Calls, [Write($"{_pk}-old")], Ct);
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Write($"{_pk}-new")], Ct);
        var moved = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct);
        await Store.UpsertAsync(DocumentContainer.Calls, Write($"{_pk}-old"), WriteCondition.None, Ct);
        var movedBack = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct);
        await Store.UpsertAsync(DocumentContainer.Calls, Write($"{_pk}-third"), WriteCondition.None, Ct);
        var movedOn = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct);

        Assert.Equal($"{_pk}-new", (string?)moved!.Data["in"]);
        Assert.Equal($"{_pk}-old", (string?)movedBack!.Data["in"]);
        Assert.Equal($"{_pk}-third", (string?)movedOn!.Data["in"]);
    }

    [Fact]
    public async Task WritingALookupKeyThatAnotherDocumentHoldsDeletesThatDocument()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|moving";
        var (old, moved) = ($"{_pk}-old", $"{_pk}-new");
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(old, "call", key)], Ct);

        var toAnotherPartition = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(moved, "call", key)], Ct))[0];
        var toAnotherId = await Store.UpsertAsync(DocumentContainer.Calls, Call(moved, "call-renamed", key), WriteCondition.None, Ct);

        Assert.Equal((WriteStatus.Succeeded, false, false, old), (toAnotherPartition.Status, toAnotherPartition.Created, toAnotherPartition.Unchanged, toAnotherPartition.MovedFrom));
        Assert.Equal((WriteStatus.Succeeded, false, false, moved), (toAnotherId.Status, toAnotherId.Created, toAnotherId.Unchanged, toAnotherId.MovedFrom));
        Assert.Null(await Store.GetAsync(DocumentContainer.Calls, old, "call", Ct));
        Assert.Null(await Store.GetAsync(DocumentContainer.Calls, moved, "call", Ct));
        Assert.NotNull(await Store.GetAsync(DocumentContainer.Calls, moved, "call-renamed", Ct));
    }

    [Fact]
    public async Task WritingALookupKeyToADocumentStoredWithoutItDeletesTheDocumentThatHeldIt()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|onto-existing";
        var (held, existing) = ($"{_pk}-held", $"{_pk}-existing");
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(held, "call", key), Call(existing, "call", null, hash: "h", note: "kept")], Ct);

        var result = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(existing, "call", key, hash: "h", note: "ignored")], Ct))[0];

        Assert.Equal((WriteStatus.Succeeded, false, true, held), (result.Status, result.Created, result.Unchanged, result.MovedFrom));
        var found = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct);
        Assert.Equal((existing, "kept"), (found!.PartitionKey, (string?)found.Data["note"]));
        var counts = await CountAsync(held, existing);
        Assert.Equal([0, 1], counts);
    }

    [Fact]
    public async Task AMovedDocumentIsFoundByItsLookupKeyAndNoLongerInItsOldPartition()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|moved";
        var (old, moved) = ($"{_pk}-old", $"{_pk}-new");
        await Store.UpsertAsync(DocumentContainer.Calls, Call(old, "call", key), WriteCondition.None, Ct);

        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(moved, "call", key)], Ct);

        var found = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct);
        Assert.Equal((moved, moved), (found!.PartitionKey, (string?)found.Data["in"]));
        Assert.Empty(await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, old, RangeKeyFilter.All, Ct)));
        Assert.Equal("call", Assert.Single(await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, moved, RangeKeyFilter.All, Ct))).Id);
    }

    [Fact]
    public async Task RewritingADocumentWithTheSameHashChangesNothing()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|same";
        var first = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(_pk, "call", key, hash: "h1", note: "first")], Ct))[0];

        var again = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(_pk, "call", key, hash: "h1", note: "second")], Ct))[0];
        var single = await Store.UpsertAsync(DocumentContainer.Calls, Call(_pk, "call", key, hash: "h1", note: "third"), WriteCondition.None, Ct);

        var stored = await Store.GetAsync(DocumentContainer.Calls, _pk, "call", Ct);
        Assert.True(first.Created);
        Assert.All(new[] { again, single }, r => Assert.Equal((WriteStatus.Succeeded, false, true, null, first.ETag), (r.Status, r.Created, r.Unchanged, r.MovedFrom, r.ETag)));
        Assert.Equal((first.ETag, "first"), (stored!.ETag, (string?)stored.Data["note"]));
        Assert.Equal(first.ETag, (await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct))!.ETag);
    }

    [Fact]
    public async Task RewritingADocumentWithTheSameHashDoesNotExtendItsExpiry()
    {
        SkipIfUnavailable();
        Assert.SkipWhen(TimeToLiveSkipReason is not null, TimeToLiveSkipReason ?? string.Empty);
        var key = $"{_pk}|expiry";
        var ttl = TimeSpan.FromSeconds(4);
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(_pk, "call", key, hash: "h1", ttl: ttl)], Ct);
        await LetTimePassAsync(TimeSpan.FromSeconds(2.5));

        var again = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(_pk, "call", key, hash: "h1", ttl: ttl)], Ct))[0];
        await LetTimePassAsync(TimeSpan.FromSeconds(2.5));

        Assert.True(again.Unchanged);
        Assert.Null(await Store.GetAsync(DocumentContainer.Calls, _pk, "call", Ct));
        Assert.Null(await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct));
    }

    [Fact]
    public async Task RewritingADocumentWithAnotherHashReplacesIt()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|changed";
        var first = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(_pk, "call", key, hash: "h1", note: "first")], Ct))[0];

        var changed = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(_pk, "call", key, hash: "h2", note: "second")], Ct))[0];

        var stored = await Store.GetAsync(DocumentContainer.Calls, _pk, "call", Ct);
        Assert.Equal((WriteStatus.Succeeded, false, false, null), (changed.Status, changed.Created, changed.Unchanged, changed.MovedFrom));
        Assert.NotEqual(first.ETag, changed.ETag);
        Assert.Equal((changed.ETag, "second"), (stored!.ETag, (string?)stored.Data["note"]));
        Assert.Equal("second", (string?)(await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct))!.Data["note"]);
    }

    [Fact]
    public async Task WritesWithoutAHashAlwaysWrite()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|unhashed";
        var results = new List<WriteResult>();
        foreach (var (hash, note) in new[] { ((string?)null, "1"), (null, "2"), ("h", "3"), (null, "4") })
        {
            results.AddRange(await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(_pk, "keyed", key, hash, note), Call(_pk, "plain", null, hash, note)], Ct));
            results.Add(await Store.UpsertAsync(DocumentContainer.Config, Call(_pk, "single", null, hash, note), WriteCondition.None, Ct));
        }

        Assert.All(results, r => Assert.False(r.Unchanged));

        // Each of the three documents got a new etag at each of its four writes (documents written together may share one).
        Assert.All(Enumerable.Range(0, 3), document => Assert.Equal(4, results.Where((_, i) => i % 3 == document).Select(r => r.ETag).Distinct().Count()));
        Assert.Equal("4", (string?)(await Store.GetAsync(DocumentContainer.Calls, _pk, "plain", Ct))!.Data["note"]);
        Assert.Equal("4", (string?)(await Store.GetAsync(DocumentContainer.Config, _pk, "single", Ct))!.Data["note"]);
    }

    [Fact]
    public async Task EachWriteOfAMixedBatchSaysWhatItDid()
    {
        SkipIfUnavailable();
        var (earlier, later) = ($"{_pk}-earlier", $"{_pk}-later");
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(earlier, "moving", $"{_pk}|moving"), Call(later, "same", $"{_pk}|same", hash: "h"), Call(later, "changed", $"{_pk}|changed", hash: "h")], Ct);

        var results = await Store.UpsertManyAsync(
            DocumentContainer.Calls,
            [
                Call(later, "new-1", $"{_pk}|new-1"), Call(later, "moving", $"{_pk}|moving"), Call(later, "new-2", $"{_pk}|new-2"),
                Call(later, "same", $"{_pk}|same", hash: "h"), Call(later, "changed", $"{_pk}|changed", hash: "h2"), Call(later, "new-3", null),
            ],
            Ct);

        Assert.Equal(
            [(true, false, null), (false, false, earlier), (true, false, null), (false, true, null), (false, false, null), (true, false, null)],
            results.Select(r => (r.Created, r.Unchanged, r.MovedFrom)));
        var counts = await CountAsync(earlier, later);
        Assert.Equal([0, 6], counts);
    }

    [Fact]
    public async Task ALookupKeyNamedTwiceInOneBatchKeepsOnlyTheLaterDocument()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|twice";
        var (held, first, last) = ($"{_pk}-held", $"{_pk}-first", $"{_pk}-last");
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(held, "call", key)], Ct);

        var results = await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(first, "call", key), Call(held, "call", key), Call(last, "call", key)], Ct);

        Assert.Equal([held, first, held], results.Select(r => r.MovedFrom));
        Assert.All(results, r => Assert.False(r.Created));
        Assert.Equal(last, (string?)(await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct))!.Data["in"]);
        var counts = await CountAsync(held, first, last);
        Assert.Equal([0, 0, 1], counts);
    }

    [Fact]
    public async Task ALookupKeyWhoseDocumentWasDeletedIsCreatedAfresh()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|recreated";
        var (gone, elsewhere) = ($"{_pk}-gone", $"{_pk}-elsewhere");
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(gone, "call", key)], Ct);
        await Store.DeleteAsync(DocumentContainer.Calls, gone, "call", null, Ct);

        var inAnotherPartition = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(elsewhere, "call", key)], Ct))[0];
        await Store.DeleteAsync(DocumentContainer.Calls, elsewhere, "call", null, Ct);
        var inTheSamePlace = (await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(elsewhere, "call", key)], Ct))[0];

        Assert.All(new[] { inAnotherPartition, inTheSamePlace }, r => Assert.Equal((true, null), (r.Created, r.MovedFrom)));
        Assert.Equal(elsewhere, (await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct))!.PartitionKey);
    }

    [Fact]
    public async Task ConcurrentWritersOfOneLookupKeyLeaveExactlyOneDocument()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|contended";
        var partitions = Enumerable.Range(0, 5).Select(p => $"{_pk}-hour-{p}").ToArray();

        var results = await WriteConcurrentlyAsync(30, i => Call(partitions[i % 5], "call", key, note: $"writer-{i}"));

        var found = await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct);
        var stored = new List<StoredDocument>();
        foreach (var partition in partitions)
        {
            stored.AddRange(await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, partition, RangeKeyFilter.All, Ct)));
        }

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results, r => r.Created);
        Assert.Equal((found!.PartitionKey, found.ETag), (Assert.Single(stored).PartitionKey, stored[0].ETag));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConcurrentWritesOfTheSameContentCountOneCreatedAndTheRestUnchanged(bool withLookupKey)
    {
        SkipIfUnavailable();
        var results = await WriteConcurrentlyAsync(20, i => Call(_pk, "call", withLookupKey ? $"{_pk}|same-content" : null, hash: "h", note: $"writer-{i}"));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results, r => r.Created);
        Assert.Equal(19, results.Count(r => r.Unchanged && !r.Created));
        Assert.Single(results.Select(r => r.ETag).Distinct());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConcurrentWritesOfDifferentContentCountOneCreatedAndTheRestReplaced(bool withLookupKey)
    {
        SkipIfUnavailable();
        var results = await WriteConcurrentlyAsync(20, i => Call(_pk, "call", withLookupKey ? $"{_pk}|other-content" : null, hash: $"h{i}", note: $"writer-{i}"));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.False(r.Unchanged));
        Assert.Single(await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, _pk, RangeKeyFilter.All, Ct)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(PatchOperation.MaxOperationsPerPatch)]
    public async Task APatchedDocumentIsWrittenAgainByAWriteWithItsEarlierHash(int operations)
    {
        SkipIfUnavailable();
        await Store.UpsertManyAsync(DocumentContainer.Config, [Call(_pk, "settings", null, hash: "h", note: "written")], Ct);
        var patched = await Store.PatchAsync(DocumentContainer.Config, _pk, "settings", [.. Enumerable.Range(0, operations).Select(i => PatchOperation.Set(i == 0 ? "/note" : $"/extra{i}", "patched"))], null, Ct);

        var rewritten = (await Store.UpsertManyAsync(DocumentContainer.Config, [Call(_pk, "settings", null, hash: "h", note: "written again")], Ct))[0];

        Assert.True(patched.Succeeded);
        Assert.Equal((WriteStatus.Succeeded, false), (rewritten.Status, rewritten.Unchanged));
        Assert.Equal("written again", (string?)(await Store.GetAsync(DocumentContainer.Config, _pk, "settings", Ct))!.Data["note"]);
    }

    [Fact]
    public async Task AConditionalWriteWithALookupKeyIsRefused()
    {
        SkipIfUnavailable();
        var write = Call(_pk, "call", $"{_pk}|conditional");

        await Assert.ThrowsAsync<ArgumentException>(() => Store.UpsertAsync(DocumentContainer.Calls, write, WriteCondition.IfNotExists, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.UpsertAsync(DocumentContainer.Calls, write, WriteCondition.IfMatch("\"etag\""), Ct));
        Assert.Null(await Store.GetAsync(DocumentContainer.Calls, _pk, "call", Ct));
    }

    [Fact]
    public async Task AConditionalReplaceWithTheSameHashChangesNothingWhenTheConditionHolds()
    {
        SkipIfUnavailable();
        var created = await Store.UpsertAsync(DocumentContainer.Runs, Call(_pk, "run", null, hash: "h", note: "first"), WriteCondition.IfNotExists, Ct);

        var same = await Store.UpsertAsync(DocumentContainer.Runs, Call(_pk, "run", null, hash: "h", note: "second"), WriteCondition.IfMatch(created.ETag!), Ct);
        var stale = await Store.UpsertAsync(DocumentContainer.Runs, Call(_pk, "run", null, hash: "h", note: "third"), WriteCondition.IfMatch("\"stale\""), Ct);
        var conflict = await Store.UpsertAsync(DocumentContainer.Runs, Call(_pk, "run", null, hash: "h", note: "fourth"), WriteCondition.IfNotExists, Ct);
        var changed = await Store.UpsertAsync(DocumentContainer.Runs, Call(_pk, "run", null, hash: "h2", note: "fifth"), WriteCondition.IfMatch(created.ETag!), Ct);

        Assert.True(created.Created);
        Assert.Equal((WriteStatus.Succeeded, true, created.ETag), (same.Status, same.Unchanged, same.ETag));
        Assert.Equal(WriteStatus.PreconditionFailed, stale.Status);
        Assert.Equal(WriteStatus.Conflict, conflict.Status);
        Assert.Equal((WriteStatus.Succeeded, false), (changed.Status, changed.Unchanged));
        Assert.Equal("fifth", (string?)(await Store.GetAsync(DocumentContainer.Runs, _pk, "run", Ct))!.Data["note"]);
    }

    [Fact]
    public async Task ADeletedDocumentIsNotFoundByItsLookupKey()
    {
        SkipIfUnavailable();
        var key = $"{_pk}|deleted";
        await Store.UpsertManyAsync(DocumentContainer.Calls, [DocumentWrite.FromJson(_pk, "gone", "{}", lookupKey: key)], Ct);

        await Store.DeleteAsync(DocumentContainer.Calls, _pk, "gone", null, Ct);

        Assert.Null(await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct));
    }

    [Fact]
    public async Task AnExpiredDocumentIsNotFoundByItsLookupKey()
    {
        SkipIfUnavailable();
        Assert.SkipWhen(TimeToLiveSkipReason is not null, TimeToLiveSkipReason ?? string.Empty);
        var key = $"{_pk}|expiring";
        await Store.UpsertManyAsync(DocumentContainer.Calls, [DocumentWrite.FromJson(_pk, "short", "{}", timeToLive: TimeSpan.FromSeconds(2), lookupKey: key)], Ct);

        Assert.NotNull(await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct));
        await LetTimePassAsync(TimeSpan.FromSeconds(5));
        Assert.Null(await Store.FindByLookupKeyAsync(DocumentContainer.Calls, key, Ct));
    }

    [Fact]
    public async Task AnExpiredDocumentIsCreatedAfreshByTheNextWriteOfItsLookupKey()
    {
        SkipIfUnavailable();
        Assert.SkipWhen(TimeToLiveSkipReason is not null, TimeToLiveSkipReason ?? string.Empty);
        var (moving, staying) = ($"{_pk}|expired-moving", $"{_pk}|expired-staying");
        var (old, moved) = ($"{_pk}-old", $"{_pk}-new");
        await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(old, "moving", moving, ttl: TimeSpan.FromSeconds(2)), Call(old, "staying", staying, hash: "h", ttl: TimeSpan.FromSeconds(2))], Ct);
        await LetTimePassAsync(TimeSpan.FromSeconds(5));

        var results = await Store.UpsertManyAsync(DocumentContainer.Calls, [Call(moved, "moving", moving), Call(old, "staying", staying, hash: "h")], Ct);

        Assert.All(results, r => Assert.Equal((true, false, null), (r.Created, r.Unchanged, r.MovedFrom)));
        Assert.Equal(moved, (await Store.FindByLookupKeyAsync(DocumentContainer.Calls, moving, Ct))!.PartitionKey);
        Assert.Equal(old, (await Store.FindByLookupKeyAsync(DocumentContainer.Calls, staying, Ct))!.PartitionKey);
        var counts = await CountAsync(old, moved);
        Assert.Equal([1, 1], counts);
    }

    [Fact]
    public async Task DocumentsExpireAfterTheirTimeToLive()
    {
        SkipIfUnavailable();
        Assert.SkipWhen(TimeToLiveSkipReason is not null, TimeToLiveSkipReason ?? string.Empty);
        await Store.UpsertAsync(DocumentContainer.Calls, Doc("short", [], "r", TimeSpan.FromSeconds(2)), WriteCondition.None, Ct);
        await Store.UpsertAsync(DocumentContainer.Calls, Doc("kept", [], "r"), WriteCondition.None, Ct);

        Assert.NotNull(await Store.GetAsync(DocumentContainer.Calls, _pk, "short", Ct));
        await LetTimePassAsync(TimeSpan.FromSeconds(4));

        Assert.Null(await Store.GetAsync(DocumentContainer.Calls, _pk, "short", Ct));
        var left = await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, _pk, RangeKeyFilter.All, Ct));
        Assert.Equal("kept", Assert.Single(left).Id);
        Assert.Equal(WriteStatus.Succeeded, (await Store.UpsertAsync(DocumentContainer.Calls, Doc("short", [], "r"), WriteCondition.IfNotExists, Ct)).Status);
    }

    protected DocumentWrite Doc(string id, JsonObject data, string? rangeKey = null, TimeSpan? ttl = null) => new(_pk, id, data, rangeKey, ttl);

    /// <summary>A call-like document in <paramref name="partition"/> whose data says which partition it was written to.</summary>
    private static DocumentWrite Call(string partition, string id, string? lookupKey, string? hash = null, string? note = null, TimeSpan? ttl = null) =>
        DocumentWrite.FromJson(partition, id, new JsonObject { ["in"] = partition, ["note"] = note }.ToJsonString(), "2026-11-20T10:15:00Z", ttl, lookupKey, hash);

    private async Task<WriteResult[]> WriteConcurrentlyAsync(int writers, Func<int, DocumentWrite> write) =>
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async i =>
        {
            await Task.Yield();
            return (await Store.UpsertManyAsync(DocumentContainer.Calls, [write(i)], Ct))[0];
        }));

    private async Task<int[]> CountAsync(params string[] partitions)
    {
        var counts = new int[partitions.Length];
        for (var i = 0; i < partitions.Length; i++)
        {
            counts[i] = (await ToListAsync(Store.QueryPartitionAsync(DocumentContainer.Calls, partitions[i], RangeKeyFilter.All, Ct))).Count;
        }

        return counts;
    }

    protected string PartitionKey => _pk;

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
