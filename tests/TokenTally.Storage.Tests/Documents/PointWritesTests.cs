using System.Text.Json.Nodes;
using TokenTally.Storage.Documents;

namespace TokenTally.Storage.Tests.Documents;

/// <summary>
/// The lookup-key protocol of stores without transactions across partitions, in interleavings a real store only hits by
/// chance: each writer runs on its own task, and a test stops one at a chosen operation while others go on.
/// </summary>
public sealed class PointWritesTests
{
    private const string Key = "acme|call-1";
    private static readonly string PointerPartition = PointWrites.PointerOf(Key).PartitionKey;

    private readonly ScriptedItems _items = new();

    private PointWrites Writes => new(_items);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADelayedDeleteDoesNotRemoveTheDocumentTheKeyWasMovedBackTo()
    {
        await Writes.UpsertAsync(Call("hour-09", "first"), Ct);
        var rewriterAtPointer = _items.PauseAt("rewriter", "read", PointerPartition);
        var moverAtDelete = _items.PauseAt("mover", "delete", "hour-09");

        // The rewriter writes hour 09 again; the mover takes the key to hour 10 and stops before deleting hour 09; the rewriter
        // takes the key back (deleting hour 10); then the mover's delete of hour 09 comes, late.
        var rewriter = Run("rewriter", () => Writes.UpsertAsync(Call("hour-09", "rewritten"), Ct));
        await rewriterAtPointer.Reached;
        var mover = Run("mover", () => Writes.UpsertAsync(Call("hour-10", "moved"), Ct));
        await moverAtDelete.Reached;
        rewriterAtPointer.Release();
        var rewritten = await rewriter;
        moverAtDelete.Release();
        var moved = await mover;

        Assert.Equal(("hour-10", (string?)null), (rewritten.MovedFrom, moved.MovedFrom));
        Assert.Equal(["hour-09"], _items.Documents.Select(d => d.PartitionKey));
        Assert.Equal("rewritten", (string?)_items.Documents[0].Data["note"]);
        Assert.Equal(("hour-09", "call-1"), await FindAsync());
    }

    [Fact]
    public async Task ADocumentRecreatedWhileItsKeyIsHeldElsewhereIsNotCountedAsCreated()
    {
        var first = await Writes.UpsertAsync(Call("hour-09", "first"), Ct);
        var movedAway = await Writes.UpsertAsync(Call("hour-10", "moved away"), Ct);
        var recreatorAtPointer = _items.PauseAt("recreator", "read", PointerPartition);

        // The recreator writes hour 09 afresh (its first document was deleted by the move) and stops before the pointer; a
        // later write of hour 09 replaces its document and takes the key back; then the recreator finds the key at hour 09.
        var recreator = Run("recreator", () => Writes.UpsertAsync(Call("hour-09", "recreated"), Ct));
        await recreatorAtPointer.Reached;
        var movedBack = await Writes.UpsertAsync(Call("hour-09", "moved back"), Ct);
        recreatorAtPointer.Release();
        var recreated = await recreator;

        Assert.Equal([true, false, false, false], new[] { first, movedAway, movedBack, recreated }.Select(r => r.Created));
        Assert.Equal([null, "hour-09", "hour-10", null], new[] { first, movedAway, movedBack, recreated }.Select(r => r.MovedFrom));
        Assert.Equal(["hour-09"], _items.Documents.Select(d => d.PartitionKey));
    }

    [Fact]
    public async Task AWriterThatStopsBeforeThePointerLeavesASecondDocumentUntilTheKeyIsWrittenAgain()
    {
        await Writes.UpsertAsync(Call("hour-09", "first"), Ct);
        _items.FailAt("crashing", "read", PointerPartition);

        await Assert.ThrowsAsync<IOException>(() => Run("crashing", () => Writes.UpsertAsync(Call("hour-10", "moved"), Ct)));
        var leftBehind = _items.Documents.Select(d => d.PartitionKey).Order().ToList();
        var retried = await Writes.UpsertAsync(Call("hour-10", "moved"), Ct);

        Assert.Equal(["hour-09", "hour-10"], leftBehind);
        Assert.Equal(("hour-09", false), (retried.MovedFrom, retried.Created));
        Assert.Equal(["hour-10"], _items.Documents.Select(d => d.PartitionKey));
    }

    private static DocumentWrite Call(string partition, string note) =>
        new(partition, "call-1", new JsonObject { ["note"] = note }) { LookupKey = Key };

    private static Task<WriteResult> Run(string writer, Func<Task<WriteResult>> write) => Task.Run(() =>
    {
        ScriptedItems.Writer.Value = writer;
        return write();
    });

    private async Task<(string, string)?> FindAsync()
    {
        var (partition, id) = PointWrites.PointerOf(Key);
        var pointer = await _items.ReadAsync(partition, id, Ct);
        return pointer is null ? null : PointWrites.Target(pointer.Data, Key);
    }

    /// <summary>Items in memory, with etags and conditions as a store has them, and operations a test can stop or fail per writer.</summary>
    private sealed class ScriptedItems : IPointOperations
    {
        public static readonly AsyncLocal<string?> Writer = new();

        private readonly Lock _lock = new();
        private readonly Dictionary<(string PartitionKey, string Id), (string ETag, string? Hash, string? Lineage, JsonObject Data)> _items = [];
        private readonly List<Step> _steps = [];

        /// <summary>The documents held (pointer items left out), in no order.</summary>
        public List<(string PartitionKey, JsonObject Data)> Documents
        {
            get
            {
                lock (_lock)
                {
                    return [.. _items.Where(i => !i.Key.PartitionKey.StartsWith("lookup|", StringComparison.Ordinal)).Select(i => (i.Key.PartitionKey, i.Value.Data))];
                }
            }
        }

        public Pause PauseAt(string writer, string operation, string partitionKey)
        {
            var pause = new Pause();
            _steps.Add(new Step(writer, operation, partitionKey, pause, Fails: false));
            return pause;
        }

        public void FailAt(string writer, string operation, string partitionKey) => _steps.Add(new Step(writer, operation, partitionKey, null, Fails: true));

        public async Task<PointItem?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken)
        {
            await ArriveAsync("read", partitionKey);
            lock (_lock)
            {
                return _items.TryGetValue((partitionKey, id), out var item) ? new PointItem(item.ETag, item.Hash, item.Lineage, (JsonObject)item.Data.DeepClone()) : null;
            }
        }

        public async Task<WriteResult> WriteAsync(DocumentWrite item, string? lineage, WriteCondition condition, CancellationToken cancellationToken)
        {
            await ArriveAsync("write", item.PartitionKey);
            lock (_lock)
            {
                var exists = _items.TryGetValue((item.PartitionKey, item.Id), out var current);
                var refusal = condition switch
                {
                    WriteCondition.Absent when exists => WriteStatus.Conflict,
                    WriteCondition.Matching when !exists => WriteStatus.NotFound,
                    WriteCondition.Matching m when m.ETag != current.ETag => WriteStatus.PreconditionFailed,
                    _ => (WriteStatus?)null,
                };
                if (refusal is { } status)
                {
                    return WriteResult.Failed(status);
                }

                var etag = Guid.NewGuid().ToString("N");
                _items[(item.PartitionKey, item.Id)] = (etag, item.ContentHash, lineage, (JsonObject)item.Data.DeepClone());
                return WriteResult.Success(etag, created: !exists);
            }
        }

        public async Task<WriteResult> TouchAsync(string partitionKey, string id, string ifMatch, CancellationToken cancellationToken)
        {
            await ArriveAsync("touch", partitionKey);
            lock (_lock)
            {
                if (!_items.TryGetValue((partitionKey, id), out var current))
                {
                    return WriteResult.Failed(WriteStatus.NotFound);
                }

                if (ifMatch != current.ETag)
                {
                    return WriteResult.Failed(WriteStatus.PreconditionFailed);
                }

                var etag = Guid.NewGuid().ToString("N");
                _items[(partitionKey, id)] = current with { ETag = etag };
                return WriteResult.Success(etag);
            }
        }

        public async Task<WriteStatus> DeleteAsync(string partitionKey, string id, string? ifMatch, CancellationToken cancellationToken)
        {
            await ArriveAsync("delete", partitionKey);
            lock (_lock)
            {
                if (!_items.TryGetValue((partitionKey, id), out var current))
                {
                    return WriteStatus.NotFound;
                }

                if (ifMatch is not null && ifMatch != current.ETag)
                {
                    return WriteStatus.PreconditionFailed;
                }

                _items.Remove((partitionKey, id));
                return WriteStatus.Succeeded;
            }
        }

        private async Task ArriveAsync(string operation, string partitionKey)
        {
            Step? step;
            lock (_lock)
            {
                step = _steps.FirstOrDefault(s => s.Writer == Writer.Value && s.Operation == operation && s.PartitionKey == partitionKey);
                if (step is not null)
                {
                    _steps.Remove(step);
                }
            }

            if (step is { Fails: true })
            {
                throw new IOException($"Writer {step.Writer} stopped at its {operation} in {partitionKey}.");
            }

            if (step?.Pause is { } pause)
            {
                await pause.WaitAsync();
            }
        }

        private sealed record Step(string Writer, string Operation, string PartitionKey, Pause? Pause, bool Fails);
    }

    /// <summary>Where a writer stops: <see cref="Reached"/> completes when it gets there, and it goes on after <see cref="Release"/>.</summary>
    private sealed class Pause
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Release() => _released.TrySetResult();

        public Task WaitAsync()
        {
            _reached.TrySetResult();
            return _released.Task;
        }
    }
}
