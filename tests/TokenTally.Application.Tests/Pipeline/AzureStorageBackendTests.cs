using DurableTask.AzureStorage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Local.Durable;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Pipeline;

/// <summary>
/// The hour run on the Durable Task Azure Storage backend (the one Durable Functions uses in Azure) on Azurite: history
/// replayed from storage, and a host that stops mid-run replaced by a new one that finishes it.
/// </summary>
public sealed class AzureStorageBackendTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Hour = Pipelines.ClosedHour(2);

    private readonly PipelineWorld _world = new();
    private readonly string _taskHub = "tt" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A worker and client on a fresh orchestration service over the shared task hub: what a Functions host instance is.</summary>
    private async Task<(IHost Host, InProcessDurableBackend Backend)> StartInstanceAsync()
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = _taskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(azurite.ConnectionString),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(5),
            ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(5),
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500),
            PartitionCount = 1,
        });
        await service.CreateIfNotExistsAsync();
        var backend = new InProcessDurableBackend(service);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _world.Configure(builder.Services);
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(backend.Channel);
            worker.AddTasks(PipelineTasks.Register);
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(backend.Channel));
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return (host, backend);
    }

    private static async Task StopInstanceAsync((IHost Host, InProcessDurableBackend Backend) instance)
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await instance.Host.StopAsync(quick.Token);
        }
        catch (OperationCanceledException)
        {
            // A blocked activity may keep the worker from stopping gracefully; the instance is gone either way.
        }

        instance.Host.Dispose();
        await instance.Backend.DisposeAsync();
    }

    private static HourRunInput TimerRun(IServiceProvider services) =>
        new(HourRunStarter.LastClosedHour(DateTimeOffset.UtcNow), RunTrigger.Timer, Reprice: false, services.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings());

    private static async Task<OrchestrationMetadata> WaitAsync(DurableTaskClient client, string id)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        return await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
    }

    [Fact]
    public async Task TheHourRunRollsUpEveryChangedTenantHourOnTheAzureStorageBackend()
    {
        var instance = await StartInstanceAsync();
        var services = instance.Host.Services;
        await _world.IngestAsync(services, ["t-a", "t-b"], [Hour, Hour.AddHours(-1)], perHour: 4);
        var client = services.GetRequiredService<DurableTaskClient>();

        var id = await client.ScheduleNewOrchestrationInstanceAsync(HourRun.Name, TimerRun(services), new StartOrchestrationOptions(HourRun.TimerInstanceId(Hour)), TestContext.Current.CancellationToken);
        var done = await WaitAsync(client, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(16, done.ReadOutputAs<HourRunReport>()!.CallsRolledUp);
        Assert.Equal(4, await _world.CallsRolledUpAsync(services, "t-a", Hour));
        Assert.Equal(4, await _world.CallsRolledUpAsync(services, "t-b", Hour.AddHours(-1)));
        await StopInstanceAsync(instance);
    }

    [Fact]
    public async Task AnInstanceStoppedMidRunIsReplacedByOneThatFinishesTheRunWithTheSameTotals()
    {
        var first = await StartInstanceAsync();
        await _world.IngestAsync(first.Host.Services, ["t-a", "t-b"], [Hour], perHour: 6);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _world.Faults.Gate = gate;
        var id = await first.Host.Services.GetRequiredService<DurableTaskClient>().ScheduleNewOrchestrationInstanceAsync(
            HourRun.Name, TimerRun(first.Host.Services), new StartOrchestrationOptions(HourRun.TimerInstanceId(Hour)), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => !_world.Faults.Attempts.IsEmpty);

        await StopInstanceAsync(first);
        var second = await StartInstanceAsync();
        gate.SetResult();
        var done = await WaitAsync(second.Host.Services.GetRequiredService<DurableTaskClient>(), id);
        var services = second.Host.Services;

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(6, await _world.CallsRolledUpAsync(services, "t-a", Hour));
        Assert.Equal(6, await _world.CallsRolledUpAsync(services, "t-b", Hour));
        await StopInstanceAsync(second);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = TimeSpan.Zero; !condition(); waited += TimeSpan.FromMilliseconds(100))
        {
            Assert.True(waited < TimeSpan.FromMinutes(1), "The run's first rollup did not start within a minute.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose() => _world.Dispose();
}
