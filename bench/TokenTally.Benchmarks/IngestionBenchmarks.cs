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

    /// <summary>CallBatch.Split and CallEventParser.Parse (validation included) of every record.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int SplitAndParse()
    {
        var records = new List<ReadOnlyMemory<byte>>();
        CallBatch.Split(_body, BatchFormat.Json, records);
        var errors = new List<FieldError>();
        var now = _now;
        var parsed = 0;
        foreach (var record in records)
        {
            errors.Clear();
            if (CallEventParser.Parse(record.Span, _context, errors, () => Guid.CreateVersion7(now).ToString("N"), out _) is not null)
            {
                parsed++;
            }
        }

        return parsed;
    }

    /// <summary>
    /// Everything IngestionService does before storage: split, parse and validate, reject in-batch duplicate ids,
    /// normalize the provider and model (Azure deployment mapping included) and price with the catalog.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int ParseValidateNormalizePrice()
    {
        var records = new List<ReadOnlyMemory<byte>>();
        CallBatch.Split(_body, BatchFormat.Json, records);
        var now = _now;
        var accepted = new List<StoredCall>(records.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<FieldError>();
        for (var index = 0; index < records.Count; index++)
        {
            errors.Clear();
            var callEvent = CallEventParser.Parse(records[index].Span, _context, errors, () => Guid.CreateVersion7(now).ToString("N"), out _);
            if (callEvent is null || !seen.TryAdd(callEvent.Id, index))
            {
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
