using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using TokenTally.Application.Pipeline;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>Runs the pipeline's orchestrations on a host, as the timer and the backfill API start them, and waits for them.</summary>
public static class Pipelines
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>A timer-style hour run for the last closed hour (under an id of its own, so a test may run several); returns its report.</summary>
    public static async Task<HourRunReport> RunHourAsync(this IApiHost host, DateTimeOffset? hour = null)
    {
        var settings = host.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings();
        var input = new HourRunInput(hour ?? HourRunStarter.LastClosedHour(DateTimeOffset.UtcNow), RunTrigger.Timer, Reprice: false, settings);
        var id = await host.DurableClient.ScheduleNewOrchestrationInstanceAsync(HourRun.Name, input, new StartOrchestrationOptions("test-" + Guid.NewGuid().ToString("N")), TestContext.Current.CancellationToken);
        var done = await host.WaitForRunAsync(id);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"Run {id} ended {done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage} {done.SerializedCustomStatus}");
        return done.ReadOutputAs<HourRunReport>()!;
    }

    /// <summary>Runs the hour again until a run leaves no changed hour over (a run takes at most its bound of them).</summary>
    public static async Task RunUntilCaughtUpAsync(this IApiHost host, int maxRuns = 10)
    {
        for (var run = 0; run < maxRuns; run++)
        {
            if ((await host.RunHourAsync()).ChangedLeftOver == 0)
            {
                return;
            }
        }

        Assert.Fail($"{maxRuns} runs left changed hours over.");
    }

    public static async Task<OrchestrationMetadata> WaitForRunAsync(this IApiHost host, string instanceId)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        return await host.DurableClient.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    /// <summary>The start of the UTC hour <paramref name="hoursAgo"/> closed hours before the current one.</summary>
    public static DateTimeOffset ClosedHour(int hoursAgo) => TimeBuckets.HourStart(DateTimeOffset.UtcNow).AddHours(-hoursAgo);
}
