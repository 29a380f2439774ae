using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TokenTally.Application.Ingestion;
using TokenTally.Application.Pricing;
using TokenTally.Application.Projects;
using TokenTally.Core.Calls;

namespace TokenTally.Benchmarks;

/// <summary>
/// The in-process ingestion path over one realistic 500-record JSON batch, beside the raw tokenization rate of the same
/// bytes. Every benchmark reports per event (OperationsPerInvoke = records per batch); one thread, so events/s is per core.
/// </summary>
[MemoryDiagnoser]
public class IngestionBenchmarks
{
    public const int BatchSize = 500;

    private byte[] _body = [];
    private DateTimeOffset _now;
    private CallEventContext _context = null!;
    private Project _project = null!;
    private CallPricer _pricer = null!;
    private CallEvent[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        var sample = SampleBatch.Create(BatchSize);
        (_body, _now, _context, _project, _pricer, _events) = (sample.Body, sample.Now, sample.Context, sample.Project, sample.Pricer, sample.Events);
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
}
