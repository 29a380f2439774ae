using BenchmarkDotNet.Attributes;
using TokenTally.Application.Calls;
using TokenTally.Core.Calls;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Benchmarks;

/// <summary>
/// Storing a priced 500-record batch the way local mode does (CallRecordStore over SqliteDocumentStore: serialization,
/// content hash, lookup keys, changed-hour marks), with new ids each time, into one database that grows as the benchmark
/// runs. Per event.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(10)]
[IterationCount(50)]
public class StorageBenchmarks
{
    private const int BatchSize = IngestionBenchmarks.BatchSize;

    private string _directory = "";
    private CallRecordStore _calls = null!;
    private StoredCall[] _template = [];
    private StoredCall[] _batch = [];
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("tokentally-bench-").FullName;
        var store = new SqliteDocumentStore(Path.Combine(_directory, "tokentally.db"), TimeProvider.System);
        _calls = new CallRecordStore(store, new ChangedHours(store, TimeProvider.System));
        _template = SampleBatch.Create(BatchSize).Stored;
    }

    [IterationSetup]
    public void NewIds() =>
        _batch = _template.Select(call => call with { Event = call.Event with { Id = $"store-{Interlocked.Increment(ref _next):D12}" } }).ToArray();

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public Task<IReadOnlyList<LedgerWrite>> UpsertBatchIntoSqlite() => _calls.UpsertAsync(_batch, TimeSpan.FromDays(30), CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
