using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using BenchmarkDotNet.Attributes;
using TokenTally.Application.Calls;
using TokenTally.Core.Calls;
using TokenTally.Storage.Tables;
using TokenTally.Testing;

namespace TokenTally.Benchmarks;

/// <summary>
/// Storing a priced 500-record batch the way the Functions app does (CallRecordStore over TableDocumentStore, changed-hour
/// marks included) into Azurite's table endpoint, started from node_modules, with new ids each time. Per event. Azurite is
/// an emulator in Node.js on the same two cores: this is a note of the request pattern's cost, not a forecast of Azure's.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(15)]
public class TableStorageBenchmarks
{
    private const int BatchSize = IngestionBenchmarks.BatchSize;

    private NodeService _azurite = null!;
    private readonly RequestCounter _requests = new();
    private CallRecordStore _calls = null!;
    private StoredCall[] _template = [];
    private StoredCall[] _batch = [];
    private long _next;
    private int _batches;

    [GlobalSetup]
    public void Setup()
    {
        var ports = new List<int>();
        while (ports.Count < 3)
        {
            if (LoopbackPorts.Free() is var port && !ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        string Port(int index) => ports[index].ToString(CultureInfo.InvariantCulture);
        _azurite = NodeService.StartAsync(
            "azurite/dist/src/azurite.js",
            ["--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
             "--blobHost", "127.0.0.1", "--blobPort", Port(0), "--queueHost", "127.0.0.1", "--queuePort", Port(1), "--tableHost", "127.0.0.1", "--tablePort", Port(2)],
            ports,
            "Azurite").GetAwaiter().GetResult();
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"TableEndpoint=http://127.0.0.1:{Port(2)}/devstoreaccount1";
        var store = new TableDocumentStore(new TableServiceClient(connection, options), TimeProvider.System);
        store.EnsureCreatedAsync(CancellationToken.None).GetAwaiter().GetResult();
        _calls = new CallRecordStore(store, new ChangedHours(store, TimeProvider.System));
        _template = SampleBatch.Create(BatchSize).Stored;
    }

    [IterationSetup]
    public void NewIds()
    {
        _batch = _template.Select(call => call with { Event = call.Event with { Id = $"tables-{Interlocked.Increment(ref _next):D12}" } }).ToArray();
        _batches++;
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public Task<IReadOnlyList<LedgerWrite>> UpsertBatchIntoTables() => _calls.UpsertAsync(_batch, TimeSpan.FromDays(30), CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// Table Storage requests per {BatchSize}-call batch of new calls: {(double)_requests.Count / _batches:F1}");
        _azurite.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => _count;

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
