using Microsoft.Extensions.Caching.Memory;
using TokenTally.Application.Pricing;
using TokenTally.Application.Projects;
using TokenTally.Core.Calls;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Benchmarks;

/// <summary>One generated batch and everything the server would know when it arrives: the key's project, the pricer, and the batch parsed and priced.</summary>
public sealed record SampleBatch(byte[] Body, DateTimeOffset Now, CallEventContext Context, Project Project, CallPricer Pricer, CallEvent[] Events, StoredCall[] Stored)
{
    public static SampleBatch Create(int size)
    {
        var now = DateTimeOffset.UtcNow;
        var body = new CallRecordGenerator(seed: 42, now).Batch(size, "bench-", first: 0);
        var context = new CallEventContext("acme", "web", now, TimeSpan.FromDays(30));
        var project = new Project("acme", "web", new Dictionary<string, string> { [CallRecordGenerator.AzureDeployment] = CallRecordGenerator.AzureDeploymentModel }, now);

        // Pricing without tenant overrides reads nothing from the store; this database file is never created.
        var pricer = new CallPricer(new SqliteDocumentStore(Path.Combine(Path.GetTempPath(), "tokentally-bench-unused.db"), TimeProvider.System), new MemoryCache(new MemoryCacheOptions()));

        var batch = CallBatchReader.Read(body, BatchFormat.Json, context, () => "unused");
        var events = batch.Records.Select(r => r.Event).OfType<CallEvent>().ToArray();
        if (batch.Error is not null || events.Length != size)
        {
            throw new InvalidOperationException($"The generated batch must be valid: {batch.Error} {events.Length} of {size} parsed; {string.Join("; ", batch.Records.SelectMany(r => r.Errors).Take(5))}");
        }

        var stored = events.Select(e => new StoredCall(e, pricer.Price(e, project, overrides: null), now)).ToArray();
        Console.WriteLine($"// Batch: {body.Length:N0} bytes, {size} records ({body.Length / size} bytes each), {stored.Count(s => s.Pricing.Unpriced)} unpriced.");
        return new SampleBatch(body, now, context, project, pricer, events, stored);
    }
}
