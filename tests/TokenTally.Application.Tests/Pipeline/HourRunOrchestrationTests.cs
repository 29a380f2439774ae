using TokenTally.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenTally.Application.Calls;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Tests.Hosts;

namespace TokenTally.Application.Tests.Pipeline;

/// <summary>The hour run and the backfill in the Durable Task test host: fan-out, retries, failures for good, parallelism.</summary>
public sealed class HourRunOrchestrationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Hour = Pipelines.ClosedHour(2);

    private readonly PipelineWorld _world = new();
    private DurableTaskTestHost _host = null!;

    private IServiceProvider Services => _host.Services;

    public async ValueTask InitializeAsync() =>
        _host = await DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions { Port = LoopbackPorts.Free(), ConfigureServices = _world.Configure, LoggerFactory = NullLoggerFactory.Instance });

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _world.Dispose();
    }

    private async Task<OrchestrationMetadata> RunAsync(string name, object input)
    {
        var id = await _host.Client.ScheduleNewOrchestrationInstanceAsync(name, input, TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        return await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
    }

    private HourRunInput TimerRun(DateTimeOffset? hour = null) =>
        new(hour ?? HourRunStarter.LastClosedHour(DateTimeOffset.UtcNow), RunTrigger.Timer, Reprice: false, Services.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings());

    [Fact]
    public async Task TheRunFansOutOverEveryChangedTenantHourAndRollsEachUp()
    {
        string[] tenants = ["t-a", "t-b", "t-c"];
        var hours = Enumerable.Range(0, 4).Select(h => Hour.AddHours(-h)).ToList();
        await _world.IngestAsync(Services, tenants, hours, perHour: 5);

        var done = await RunAsync(HourRun.Name, TimerRun());
        var report = done.ReadOutputAs<HourRunReport>()!;

        // Twelve marked tenant-hours, and each tenant's run hour, which every timer run recomputes.
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal((12, 12), (report.ChangedPending, report.ChangedTaken));
        Assert.Equal(new StepReport("rollup", "succeeded", 15, 15, 0, []), report.Steps[0] with { Errors = [] });
        Assert.Equal(15, report.Steps.Single(s => s.Name == "archive").Done);
        Assert.Equal(60, report.CallsRolledUp);
        foreach (var tenant in tenants)
        {
            foreach (var hour in hours)
            {
                Assert.Equal(5, await _world.CallsRolledUpAsync(Services, tenant, hour));
            }
        }

        Assert.Empty(await Services.GetRequiredService<ChangedHours>().ListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AFailingActivityIsRetriedByItsPolicyAndTheRunSucceeds()
    {
        await _world.IngestAsync(Services, ["t-flaky", "t-fine"], [Hour], perHour: 7);
        _world.Faults.FailNext("t-flaky", 2);

        var done = await RunAsync(HourRun.Name, TimerRun());

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(3, _world.Faults.Attempts["t-flaky"]);
        Assert.Equal(7, await _world.CallsRolledUpAsync(Services, "t-flaky", Hour));
    }

    [Fact]
    public async Task AnActivityFailingForGoodFailsTheRunAfterTheOthersAndKeepsItsMarkForTheNextRun()
    {
        await _world.IngestAsync(Services, ["t-broken", "t-fine"], [Hour], perHour: 3);
        _world.Faults.FailForGood("t-broken");

        var failed = await RunAsync(HourRun.Name, TimerRun());
        var report = failed.ReadCustomStatusAs<HourRunReport>()!;
        var rollup = report.Steps.Single(s => s.Name == "rollup");
        var marks = await Services.GetRequiredService<ChangedHours>().ListAsync(TestContext.Current.CancellationToken);
        var attempts = _world.Faults.Attempts["t-broken"];
        _world.Faults.Heal("t-broken");
        var next = await RunAsync(HourRun.Name, TimerRun());

        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.Contains("t-broken", failed.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(("failed", 4, 3, 1), (rollup.Status, rollup.Items, rollup.Done, rollup.Failed));
        Assert.Contains("Injected rollup failure", Assert.Single(rollup.Errors), StringComparison.Ordinal);
        Assert.Equal(3, attempts);
        Assert.Equal(3, await _world.CallsRolledUpAsync(Services, "t-fine", Hour));
        Assert.Equal("t-broken", Assert.Single(marks).Tenant);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, next.RuntimeStatus);
        Assert.Equal(3, await _world.CallsRolledUpAsync(Services, "t-broken", Hour));
    }

    [Fact]
    public async Task ABackfillRollsUpEveryHourOfItsRangeAcrossGenerations()
    {
        var from = Hour.AddHours(-29);
        await _world.IngestAsync(Services, ["t-history"], Enumerable.Range(0, 30).Select(h => from.AddHours(h)), perHour: 2);
        var settings = Services.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings() with { MaxParallelism = 3 };

        var done = await RunAsync(Backfill.Name, new BackfillInput(from, Hour.AddHours(1), Reprice: false, settings));
        var report = done.ReadOutputAs<BackfillReport>()!;

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal((30, 30, 0), (report.Hours, report.Succeeded, report.FailedHours.Count));
        for (var hour = from; hour <= Hour; hour = hour.AddHours(1))
        {
            Assert.Equal(2, await _world.CallsRolledUpAsync(Services, "t-history", hour));
        }
    }

    [Fact]
    public async Task ABackfillHourThatFailsForGoodIsNamedAndTheOthersAreDone()
    {
        await _world.IngestAsync(Services, ["t-fine"], [Hour.AddHours(-1), Hour], perHour: 2);
        await _world.IngestAsync(Services, ["t-broken"], [Hour], perHour: 2);
        _world.Faults.FailForGood("t-broken");
        var settings = Services.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings();

        var done = await RunAsync(Backfill.Name, new BackfillInput(Hour.AddHours(-1), Hour.AddHours(1), Reprice: false, settings));
        var report = done.ReadCustomStatusAs<BackfillReport>()!;

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal([TokenTally.Core.Rollups.TimeBuckets.HourKey(Hour)], report.FailedHours);
        Assert.Equal(1, report.Succeeded);
        Assert.Equal(2, await _world.CallsRolledUpAsync(Services, "t-fine", Hour.AddHours(-1)));
    }
}
