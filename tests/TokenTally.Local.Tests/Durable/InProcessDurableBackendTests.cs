using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenTally.Application.Calls;
using TokenTally.Application.Hosting;
using TokenTally.Application.Ingestion;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Projects;
using TokenTally.Application.Rollups;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Calls;
using TokenTally.Core.Rollups;
using TokenTally.Local.Durable;
using TokenTally.Local.Tests.Infrastructure;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Sqlite;
using TokenTally.Testing;

namespace TokenTally.Local.Tests.Durable;

/// <summary>
/// The in-process backend keeps the orchestrations, not the worker: a worker stopped in the middle of a backfill and a new
/// one on the same backend finish it with the right totals. And it runs a wide fan-out without waiting for a core per item.
/// </summary>
/// <remarks>
/// The worker changes while the runs wait for their retries, with no work item in flight: the test host's sidecar never
/// dispatches again a work item it sent to a worker that went away (its abandon does nothing, and a stopping worker drops
/// the results it still had to send), so a run whose activity was in flight then would wait forever. In local mode the
/// worker and the backend share one process and stop together, so this cannot happen there.
/// </remarks>
public sealed class InProcessDurableBackendTests : IDisposable
{
    private const int Hours = 3;
    private const int CallsPerHour = 40;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TemporaryFolder _folder = new();
    private readonly FailingCallReads _callReads = new("first");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task AWorkerRestartedInTheMiddleOfABackfillOnTheSameBackendFinishesItWithTheRightTotals()
    {
        await using var backend = new InProcessDurableBackend();
        var to = TimeBuckets.HourStart(TimeProvider.System.GetUtcNow());
        var from = to.AddHours(-Hours);
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];

        // The first worker plans every hour, and every rollup it tries fails; each run then waits to retry it.
        using var first = await StartWorkerAsync(backend, "first");
        await IngestAsync(first.Services, tenant, from);
        var client = first.Services.GetRequiredService<DurableTaskClient>();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(Backfill.Name, new BackfillInput(from, to, Reprice: false, Settings()), Ct);
        await Eventually.HoldsAsync(() => _callReads.Failures("first") == Hours, Patience, () => $"{_callReads.Failures("first")} of {Hours} rollups failed on the first worker.");
        var failedAt = _callReads.LastFailure;
        var hourRuns = Enumerable.Range(0, Hours).Select(h => Backfill.HourInstanceId(id, from.AddHours(h))).ToList();
        await Eventually.HoldsAsync(
            async () => (await Task.WhenAll(hourRuns.Select(run => client.GetInstanceAsync(run, Ct)))).All(run => run?.LastUpdatedAt > failedAt),
            Patience,
            () => "The runs did not record their failed rollups.");

        // Nothing is in flight now: the runs' state is the backend's alone. A new worker takes over and the retries succeed.
        await first.StopAsync(Ct);
        using var second = await StartWorkerAsync(backend, "second");
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(Patience);
        var done = await second.Services.GetRequiredService<DurableTaskClient>().WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, patience.Token);

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        var report = done.ReadOutputAs<BackfillReport>()!;
        Assert.Equal((Hours, Hours), (report.Hours, report.Succeeded));
        Assert.Empty(report.FailedHours);
        Assert.Equal(0, _callReads.Reads("first"));
        Assert.True(_callReads.Reads("second") >= 2 * Hours, $"The second worker read {_callReads.Reads("second")} hours of calls; rollup and archive read each of {Hours}.");
        var stored = await StoredAsync(second.Services, tenant, from, to);
        Assert.Equal(Hours * CallsPerHour, stored.Calls);
        Assert.Equal(stored, await RolledUpAsync(second.Services, tenant, from, to));
    }

    [Fact(Timeout = 120_000)]
    public async Task AFanOutOfTwoHundredActivitiesCompletesWithoutWaitingForACorePerActivity()
    {
        const int Activities = 200;
        await using var backend = new InProcessDurableBackend();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(backend.Channel);
            worker.AddTasks(registry =>
            {
                registry.AddOrchestratorFunc<int, int>("FanOut", async (context, count) =>
                    (await Task.WhenAll(Enumerable.Range(1, count).Select(i => context.CallActivityAsync<int>("Echo", i)))).Sum());
                registry.AddActivityFunc<int, int>("Echo", (_, value) => value);
            });
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(backend.Channel));
        using var host = builder.Build();
        await host.StartAsync(Ct);
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        var elapsed = Stopwatch.StartNew();
        var id = await client.ScheduleNewOrchestrationInstanceAsync("FanOut", Activities, Ct);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(Patience);
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, patience.Token);
        elapsed.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"{Activities} activities in {elapsed.Elapsed.TotalMilliseconds:0} ms on {Environment.ProcessorCount} cores.");
        await host.StopAsync(Ct);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(Activities * (Activities + 1) / 2, done.ReadOutputAs<int>());

        // A functional bound, not a benchmark: the stock in-memory service, one work item per core and a 500 ms wait when
        // full, needs about 50 s on two cores; the widened one well under a second.
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(30), $"{Activities} activities took {elapsed.Elapsed.TotalSeconds:0.0} s.");
    }

    /// <summary>Retries come after 5 s: the worker changes while the runs wait, with time to spare on a busy machine.</summary>
    private static RunSettings Settings() => new PipelineOptions { FirstRetryInterval = TimeSpan.FromSeconds(5) }.ToRunSettings();

    /// <summary>A Durable Task worker with the pipeline's tasks and the application on this test's data, on <paramref name="backend"/>.</summary>
    private async Task<IHost> StartWorkerAsync(InProcessDurableBackend backend, string name)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create<string, string?>("TokenTally:Local:DataPath", _folder.Path)]);
        builder.Services.AddTokenTallyApplication();
        builder.Services.AddOptions<LocalOptions>().BindConfiguration(LocalOptions.Section);
        builder.Services.AddLocalStores();
        builder.Services.AddSingleton<IDocumentStore>(sp => new CallReadsOf(name, sp.GetRequiredService<SqliteDocumentStore>(), _callReads));
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(backend.Channel);
            worker.AddTasks(PipelineTasks.Register);
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(backend.Channel));
        var host = builder.Build();
        await host.StartAsync(Ct);
        return host;
    }

    /// <summary>Stores <see cref="CallsPerHour"/> calls in every hour from <paramref name="from"/>.</summary>
    private static async Task IngestAsync(IServiceProvider services, string tenant, DateTimeOffset from)
    {
        await services.GetRequiredService<ProjectStore>().CreateAsync(tenant, "pipeline", new Dictionary<string, string>(), Ct);
        var ingestion = services.GetRequiredService<IngestionService>();
        var key = new IntakeKey(tenant, "pipeline");
        var records = Enumerable.Range(0, Hours * CallsPerHour)
            .Select(i => CallRecords.Record($"call-{i:D4}", from.AddSeconds(i * 3600.0 / CallsPerHour), i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini", 1_000 + i, 100 + i));
        var reading = ingestion.Read(key, Encoding.UTF8.GetBytes(CallRecords.Batch(records)), BatchFormat.Json);
        var result = await ingestion.IngestAsync(key, reading.Records, Intake.Http, Ct);
        Assert.Equal(Hours * CallsPerHour, result.Created);
    }

    /// <summary>The calls stored in [from, to) and their cost, read from the ledger.</summary>
    private static async Task<(long Calls, decimal CostUsd)> StoredAsync(IServiceProvider services, string tenant, DateTimeOffset from, DateTimeOffset to)
    {
        var (calls, cost) = (0L, 0m);
        for (var hour = from; hour < to; hour = hour.AddHours(1))
        {
            await foreach (var call in services.GetRequiredService<CallRecordStore>().ReadHourAsync(tenant, hour, Ct))
            {
                calls++;
                cost += call.Pricing.Cost!.Total;
            }
        }

        return (calls, cost);
    }

    private static async Task<(long Calls, decimal CostUsd)> RolledUpAsync(IServiceProvider services, string tenant, DateTimeOffset from, DateTimeOffset to)
    {
        var rows = new List<RollupRow>();
        await foreach (var row in services.GetRequiredService<RollupStore>().ReadAsync(tenant, Cube.Total, from, to, Ct))
        {
            rows.Add(row);
        }

        return (rows.Sum(r => r.Calls), rows.Sum(r => r.CostUsd));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Counts every read of an hour's calls (the rollup and the archive of a tenant-hour read them) per worker, and fails those of one worker.</summary>
    private sealed class FailingCallReads(string failingWorker)
    {
        private readonly ConcurrentDictionary<string, int> _reads = new();
        private readonly ConcurrentDictionary<string, int> _failures = new();

        private long _lastFailureTicks;

        public DateTimeOffset LastFailure => new(Interlocked.Read(ref _lastFailureTicks), TimeSpan.Zero);

        public int Reads(string worker) => _reads.GetValueOrDefault(worker);

        public int Failures(string worker) => _failures.GetValueOrDefault(worker);

        public void Read(string worker)
        {
            if (worker == failingWorker)
            {
                Interlocked.Exchange(ref _lastFailureTicks, TimeProvider.System.GetUtcNow().UtcTicks);
                _failures.AddOrUpdate(worker, 1, (_, n) => n + 1);
                throw new IOException("The calls cannot be read on this worker.");
            }

            _reads.AddOrUpdate(worker, 1, (_, n) => n + 1);
        }
    }

    /// <summary>The SQLite store of one worker, its reads of the calls container counted (or failed) by <paramref name="reads"/>.</summary>
    private sealed class CallReadsOf(string worker, IDocumentStore inner, FailingCallReads reads) : DelegatingDocumentStore(inner)
    {
        public override async IAsyncEnumerable<StoredDocument> QueryPartitionAsync(DocumentContainer container, string partitionKey, RangeKeyFilter range, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (container == DocumentContainer.Calls)
            {
                reads.Read(worker);
            }

            await foreach (var document in Inner.QueryPartitionAsync(container, partitionKey, range, cancellationToken))
            {
                yield return document;
            }
        }
    }
}
