using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Functions.Invocations;
using TokenTally.Functions.Local;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Queues;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>Local mode stands in for the Functions host: timers fire on their NCRONTAB schedule, queues trigger their functions.</summary>
public sealed class LocalModeTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 4, 58, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TemporaryScriptRoot _functions = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthReportsLocalModeAndEveryDependency()
    {
        await using var server = new TokenTallyServer();
        using var client = server.Start();

        var health = await client.GetFromJsonAsync<JsonElement>("/api/health", Ct);

        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("local", health.GetProperty("mode").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", health.GetProperty("version").GetString());
        foreach (var dependency in new[] { "store", "archive", "queue" })
        {
            Assert.Equal("healthy", health.GetProperty("dependencies").GetProperty(dependency).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task HealthIsUnhealthyWhenTheArchiveCannotBeWritten()
    {
        await using var server = new TokenTallyServer();
        using var client = server.Start();
        var blobs = Path.Combine(server.DataPath, "blobs");
        Directory.CreateDirectory(blobs);
        await File.WriteAllTextAsync(Path.Combine(blobs, "archive"), "a file where the archive folder should be", Ct);

        var response = await client.GetAsync("/api/health", Ct);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", health.GetProperty("dependencies").GetProperty("archive").GetProperty("status").GetString());
        Assert.Equal("healthy", health.GetProperty("dependencies").GetProperty("store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheFirstStartCreatesAnAdminKeyAndStoresOnlyItsHash()
    {
        await using var server = new TokenTallyServer();
        server.Start();

        var key = (await File.ReadAllTextAsync(Path.Combine(server.DataPath, "admin-key"), Ct)).Trim();
        var stored = await server.Store.GetAsync(DocumentContainer.Config, AdminKeyBootstrap.PartitionKey, AdminKeyBootstrap.DocumentId, Ct);

        Assert.StartsWith(AdminKeyBootstrap.Prefix, key);
        Assert.True(key.Length > 40);
        Assert.Equal(AdminKeyBootstrap.Hash(key), (string?)stored!.Data["sha256"]);
        Assert.DoesNotContain(key, stored.Data.ToJsonString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(server.DataPath, "admin-key")));
        }
    }

    [Fact]
    public async Task TheSchedulerFiresTheHourlyPipelineAtFivePast()
    {
        await using var server = new TokenTallyServer(
            new Dictionary<string, string?> { ["TokenTally:Local:RunScheduler"] = "true" },
            services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)));
        server.Start();
        var runs = new PipelineRunStore(server.Store);
        var hour = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

        var fivePast = new DateTimeOffset(2026, 11, 20, 10, 5, 0, TimeSpan.Zero);
        await Eventually(() => Task.FromResult(_time.PendingDueTimes.Contains(fivePast) ? "armed" : null));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await runs.GetAsync(hour, Ct));
        _time.Advance(TimeSpan.FromSeconds(1));
        var run = await Eventually(() => runs.GetAsync(hour, Ct));

        Assert.Equal("timer", run.Run.Trigger);
        Assert.Equal(fivePast, run.Run.CreatedAt);
        Assert.Null(await runs.GetAsync(hour.AddHours(1), Ct));
    }

    [Fact]
    public async Task AQueueMessageTriggersItsFunctionWithTheHostsPayloadAndIsCompleted()
    {
        var probe = new QueueProbe(failuresBeforeSuccess: 0);
        await using var server = QueueServer(probe);
        server.Start();
        var queue = server.Services.GetRequiredService<IMessageQueue>();

        await queue.SendAsync("probe-work", """{"hour":"2026-11-20T09"}""", null, Ct);
        var delivered = await Eventually(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(probe.Deliveries.TryPeek(out var d) ? d : null);
        });

        Assert.Equal("""{"hour":"2026-11-20T09"}""", delivered.Message);
        Assert.Equal(1, delivered.Metadata.DequeueCount);
        Assert.False(string.IsNullOrEmpty(delivered.Metadata.Id));
        await Eventually(async () => await queue.CountAsync("probe-work", Ct) == 0 ? "empty" : null);
    }

    [Fact]
    public async Task AMessageThatKeepsFailingGoesToThePoisonQueueAfterFiveDeliveries()
    {
        var probe = new QueueProbe(failuresBeforeSuccess: int.MaxValue);
        await using var server = QueueServer(probe);
        server.Start();
        var queue = server.Services.GetRequiredService<IMessageQueue>();

        await queue.SendAsync("probe-work", "doomed", null, Ct);
        await Eventually(async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(31));
            return await queue.CountAsync("probe-work-poison", Ct) == 1 ? "poisoned" : null;
        });

        Assert.Equal(5, probe.Deliveries.Count);
        Assert.Equal([1L, 2, 3, 4, 5], probe.Deliveries.Select(d => d.Metadata.DequeueCount).Order());
        Assert.Equal(0, await queue.CountAsync("probe-work", Ct));
    }

    private TokenTallyServer QueueServer(QueueProbe probe)
    {
        _functions.Write(QueueProbe.Name, """{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "item", "queueName": "probe-work" } ] }""");
        return new TokenTallyServer(
            new Dictionary<string, string?> { ["TokenTally:Functions:ScriptRoot"] = _functions.Path },
            services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time));
                services.AddSingleton<IFunctionHandler>(probe);
            });
    }

    /// <summary>Polls (in real time) until <paramref name="probe"/> yields a value; the fake clock only drives the server.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T?>> probe)
        where T : class
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(25, Ct);
        }

        throw new TimeoutException("The expected state was not reached within 5 seconds.");
    }

    public void Dispose() => _functions.Dispose();

    /// <summary>A queue-triggered function that records what it was given and fails a set number of times.</summary>
    private sealed class QueueProbe(int failuresBeforeSuccess) : QueueFunction
    {
        public const string Name = "QueueProbe";

        public ConcurrentQueue<QueueInvocation> Deliveries { get; } = new();

        public override string FunctionName => Name;

        protected override Task<InvocationResult> RunAsync(QueueInvocation message, InvocationContext context, CancellationToken cancellationToken)
        {
            Deliveries.Enqueue(message);
            return Task.FromResult(Deliveries.Count > failuresBeforeSuccess ? InvocationResult.Done() : new InvocationResult.Failed("probe failure"));
        }
    }
}
