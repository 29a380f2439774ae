using System.Collections.Concurrent;
using TokenTally.Application.Calls;
using TokenTally.Application.Health;
using TokenTally.Application.Hosting;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Projects;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;
using TokenTally.Core.Rollups;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Documents;
using TokenTally.Storage.FileSystem;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Pipeline;

/// <summary>
/// The application's services on SQLite and files in a folder of their own, with a document store that fails or waits on
/// rollup writes for chosen tenants: the world a Durable Task worker runs the pipeline's activities in.
/// </summary>
public sealed class PipelineWorld : IDisposable
{
    private readonly TemporarySqliteStore _sqlite = new();
    private readonly string _blobs = Path.Combine(Path.GetTempPath(), "tokentally-blobs-" + Guid.NewGuid().ToString("N"));

    public FaultyRollupWrites Faults { get; } = new();

    public IDocumentStore Store => _sqlite.Store;

    /// <summary>Adds the application and its stores to a worker's services.</summary>
    public void Configure(IServiceCollection services)
    {
        services.AddLogging();
        services.AddTokenTallyApplication();
        services.PostConfigure<PipelineOptions>(o => (o.FirstRetryInterval, o.FallbackHours) = (TimeSpan.FromMilliseconds(100), 0));
        services.AddSingleton(new HostInfo("test"));
        services.AddSingleton<IDocumentStore>(new FaultyStore(_sqlite.Store, Faults));
        services.AddSingleton<IExpiringDocumentStore>(_sqlite.Store);
        services.AddSingleton<IBlobStore>(new FileSystemBlobStore(_blobs));
    }

    /// <summary>Stores <paramref name="perHour"/> calls for each tenant in each of the hours, through the ledger (which marks the hours).</summary>
    public async Task IngestAsync(IServiceProvider services, IEnumerable<string> tenants, IEnumerable<DateTimeOffset> hours, int perHour)
    {
        var calls = services.GetRequiredService<CallRecordStore>();
        var stored = new List<StoredCall>();
        foreach (var tenant in tenants)
        {
            await services.GetRequiredService<ProjectStore>().CreateAsync(tenant, "p", new Dictionary<string, string>(), TestContext.Current.CancellationToken);
            foreach (var hour in hours)
            {
                stored.AddRange(Enumerable.Range(0, perHour).Select(i => Call(tenant, hour.AddMinutes(i % 60), $"{tenant}-{hour:yyyyMMddHH}-{i}")));
            }
        }

        await calls.UpsertAsync(stored, TimeSpan.FromDays(30), TestContext.Current.CancellationToken);
    }

    /// <summary>Stores <paramref name="count"/> calls of the tenant at <paramref name="at"/>, ids <c>&lt;prefix&gt;-0</c> and on; a call stored again under its id moves.</summary>
    public static async Task StoreCallsAsync(IServiceProvider services, string tenant, string prefix, DateTimeOffset at, int count) =>
        await services.GetRequiredService<CallRecordStore>().UpsertAsync(
            Enumerable.Range(0, count).Select(i => Call(tenant, at, $"{prefix}-{i}")).ToList(), TimeSpan.FromDays(30), TestContext.Current.CancellationToken);

    public async Task<long> CallsRolledUpAsync(IServiceProvider services, string tenant, DateTimeOffset hour)
    {
        long calls = 0;
        await foreach (var row in services.GetRequiredService<RollupStore>().ReadAsync(tenant, Cube.Total, hour, hour.AddHours(1), TestContext.Current.CancellationToken))
        {
            calls += row.Calls;
        }

        return calls;
    }

    internal static StoredCall Call(string tenant, DateTimeOffset at, string id)
    {
        var usage = new TokenUsage(1_000, 100);
        var e = new CallEvent { Id = id, Timestamp = at, Tenant = tenant, Project = "p", Provider = "openai", Model = "gpt-4o", Usage = usage, LatencyMs = 300 };
        var cost = new Pricer(PriceCatalog.Default).Price(new PricingRequest("openai", "gpt-4o", at, usage)) is PricingOutcome.Priced priced ? priced.Cost : null;
        return new StoredCall(e, new PricedCall("openai", "gpt-4o", cost, null, PriceCatalog.Default.Version), at);
    }

    public void Dispose()
    {
        _sqlite.Dispose();
        if (Directory.Exists(_blobs))
        {
            Directory.Delete(_blobs, recursive: true);
        }
    }

    /// <summary>
    /// Which tenants' rollups fail (a count, or for good) or wait for a gate, and how many were attempted; which alert write fails: an hour's rollup
    /// writes its hour rows first (then the day rows), so the hour-row write stands for one attempt of the activity.
    /// </summary>
    public sealed class FaultyRollupWrites
    {
        private readonly ConcurrentDictionary<string, int> _failuresLeft = new();

        public ConcurrentDictionary<string, int> Attempts { get; } = new();

        public TaskCompletionSource? Gate { get; set; }

        public void FailNext(string tenant, int times) => _failuresLeft[tenant] = times;

        public void FailForGood(string tenant) => _failuresLeft[tenant] = int.MaxValue;

        public void Heal(string tenant) => _failuresLeft.TryRemove(tenant, out _);

        private int _alertWritesUntilFailure;
        private int _alertWriteFailures;

        /// <summary>How many alert writes have been failed.</summary>
        public int AlertWriteFailures => _alertWriteFailures;

        /// <summary>Fails the <paramref name="nth"/> write of an alert document from now on, once (1: the next one).</summary>
        public void FailAlertWrite(int nth) => _alertWritesUntilFailure = nth;

        internal void BeforeAlertWrite()
        {
            if (_alertWritesUntilFailure > 0 && Interlocked.Decrement(ref _alertWritesUntilFailure) == 0)
            {
                Interlocked.Increment(ref _alertWriteFailures);
                throw new IOException("Injected alert write failure.");
            }
        }

        internal async Task BeforeWriteAsync(string tenant)
        {
            Attempts.AddOrUpdate(tenant, 1, (_, n) => n + 1);
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            if (_failuresLeft.TryGetValue(tenant, out var left) && left > 0)
            {
                _failuresLeft[tenant] = left == int.MaxValue ? left : left - 1;
                throw new IOException($"Injected rollup failure for {tenant}.");
            }
        }
    }

    private sealed class FaultyStore(IDocumentStore inner, FaultyRollupWrites faults) : DelegatingDocumentStore(inner)
    {
        public override async Task<IReadOnlyList<WriteResult>> UpsertManyAsync(DocumentContainer container, IReadOnlyList<DocumentWrite> documents, CancellationToken cancellationToken)
        {
            if (container == DocumentContainer.Rollups && documents.Count > 0 && !documents[0].RangeKey!.Contains("|d|", StringComparison.Ordinal))
            {
                await faults.BeforeWriteAsync(documents[0].PartitionKey);
            }

            return await Inner.UpsertManyAsync(container, documents, cancellationToken);
        }

        public override Task<WriteResult> UpsertAsync(DocumentContainer container, DocumentWrite document, WriteCondition condition, CancellationToken cancellationToken)
        {
            if (container == DocumentContainer.Config && document.PartitionKey.EndsWith("|alerts", StringComparison.Ordinal))
            {
                faults.BeforeAlertWrite();
            }

            return Inner.UpsertAsync(container, document, condition, cancellationToken);
        }
    }
}
