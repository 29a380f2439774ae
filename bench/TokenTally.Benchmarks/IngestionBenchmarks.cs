using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using TokenTally.Core.Calls;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Pricing;
using TokenTally.Functions.Projects;

namespace TokenTally.Benchmarks;

/// <summary>
/// The in-process ingestion path over one realistic 500-record JSON batch, beside the raw tokenization rate of the same
/// bytes. Every benchmark reports per event (OperationsPerInvoke = records per batch); one thread, so events/s is per core.
/// </summary>
[MemoryDiagnoser]
public class IngestionBenchmarks
{
    public const int BatchSize = 500;

    // CallRecordStore's options (internal to the server), for the storage serialization benchmarks.
    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private byte[] _body = [];
    private DateTimeOffset _now;
    private CallEventContext _context = null!;
    private Project _project = null!;
    private CallPricer _pricer = null!;
    private CallEvent[] _events = [];
    private StoredCall[] _stored = [];

    [GlobalSetup]
    public void Setup()
    {
        var sample = SampleBatch.Create(BatchSize);
        (_body, _now, _context, _project, _pricer, _events, _stored) = (sample.Body, sample.Now, sample.Context, sample.Project, sample.Pricer, sample.Events, sample.Stored);
    }

    /// <summary>The floor: Utf8JsonReader reading every token of the batch and nothing else.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize)]
    public int RawTokenize()
    {
        var reader = new Utf8JsonReader(_body);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    /// <summary>CallBatchReader.Read: one pass that tokenizes the body and parses and validates every record.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int ReadAndParse()
    {
        var now = _now;
        var batch = CallBatchReader.Read(_body, BatchFormat.Json, _context, () => Guid.CreateVersion7(now).ToString("N"));
        var parsed = 0;
        foreach (var record in batch.Records)
        {
            if (record.Event is not null)
            {
                parsed++;
            }
        }

        return parsed;
    }

    /// <summary>
    /// Everything IngestionService does before storage: read and parse (validation included) in one pass, reject
    /// in-batch duplicate ids, normalize the provider and model (Azure deployment mapping included) and price with the catalog.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int ParseValidateNormalizePrice()
    {
        var now = _now;
        var batch = CallBatchReader.Read(_body, BatchFormat.Json, _context, () => Guid.CreateVersion7(now).ToString("N"), maxRecords: 5_000);
        var accepted = new List<StoredCall>(batch.Records.Count);
        var rejected = new List<RejectedRecord>();
        var seen = new Dictionary<string, int>(batch.Records.Count, StringComparer.Ordinal);
        for (var index = 0; index < batch.Records.Count; index++)
        {
            var (_, callEvent, sentId, errors) = batch.Records[index];
            if (callEvent is null || !seen.TryAdd(callEvent.Id, index))
            {
                rejected.Add(new RejectedRecord(index, sentId, errors));
                continue;
            }

            accepted.Add(new StoredCall(callEvent, _pricer.Price(callEvent, _project, overrides: null), now));
        }

        return accepted.Count;
    }

    /// <summary>Normalization and pricing alone, over already parsed events.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int NormalizeAndPrice()
    {
        var priced = 0;
        foreach (var callEvent in _events)
        {
            if (!_pricer.Price(callEvent, _project, overrides: null).Unpriced)
            {
                priced++;
            }
        }

        return priced;
    }

    /// <summary>What storage does per record today: SerializeToNode, then ToJsonString in the SQLite store, for the record and its id pointer.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long SerializeForStorageViaNode()
    {
        long chars = 0;
        foreach (var call in _stored)
        {
            chars += JsonSerializer.SerializeToNode(call, StoredJson)!.AsObject().ToJsonString().Length;
            chars += new JsonObject { ["hour"] = CallRecordStore.HourKey(call.Event.Timestamp) }.ToJsonString().Length;
        }

        return chars;
    }

    /// <summary>The same documents serialized straight to text, without the intermediate JsonNode tree.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long SerializeForStorageDirect()
    {
        long chars = 0;
        foreach (var call in _stored)
        {
            chars += JsonSerializer.Serialize(call, StoredJson).Length;
            chars += JsonSerializer.Serialize(new HourPointer(CallRecordStore.HourKey(call.Event.Timestamp)), StoredJson).Length;
        }

        return chars;
    }

    private sealed record HourPointer(string Hour);
}
