using TokenTally.Core.Pipeline;

namespace TokenTally.Core.Tests.Pipeline;

public sealed class PipelineRunTests
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Hour.AddMinutes(65);

    [Theory]
    [InlineData("2026-11-20T10:05:00Z", "2026-11-20T09:00:00Z")]
    [InlineData("2026-11-20T10:00:00Z", "2026-11-20T09:00:00Z")]
    [InlineData("2026-11-20T10:59:59.999Z", "2026-11-20T09:00:00Z")]
    [InlineData("2026-11-21T00:05:00Z", "2026-11-20T23:00:00Z")]
    [InlineData("2026-11-20T11:05:00+01:00", "2026-11-20T09:00:00Z")]
    public void TheLastClosedHourIsTheWholeUtcHourBeforeTheCurrentOne(string now, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), PipelineRun.LastClosedHour(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void ANewRunHasEveryStepPendingInPipelineOrder()
    {
        var run = PipelineRun.Start(Hour, "timer", Now);

        Assert.Equal("2026-11-20T09", run.Id);
        Assert.Equal(["Rollup", "Budgets", "Anomalies", "Forecast", "Alerts", "Archive"], run.Steps.Select(s => s.Name));
        Assert.All(run.Steps, s => Assert.Equal(StepStatus.Pending, s.Status));
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal("Rollup", run.NextStep!.Name);
    }

    [Fact]
    public void ARunMustCoverAWholeUtcHour()
    {
        Assert.Throws<ArgumentException>(() => PipelineRun.Start(Hour.AddMinutes(5), "timer", Now));
        Assert.Throws<ArgumentException>(() => PipelineRun.Start(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.FromHours(1)), "timer", Now));
    }

    [Fact]
    public void CompletingWithAFailedStepFailsTheRunAndResumingKeepsFinishedSteps()
    {
        var failed = PipelineRun.Start(Hour, "timer", Now)
            .BeginStep("Rollup", Now).CompleteStep("Rollup", Now)
            .BeginStep("Budgets", Now).FailStep("Budgets", "boom", Now)
            .Complete(Now);

        var resumed = failed.Resume("manual", Now.AddMinutes(1));

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(RunStatus.Running, resumed.Status);
        Assert.Equal(2, resumed.Attempts);
        Assert.Equal(StepStatus.Succeeded, resumed.Steps[0].Status);
        Assert.Equal("Budgets", resumed.NextStep!.Name);
        Assert.Null(resumed.CompletedAt);
    }

    [Fact]
    public void ARunWhoseStepsAreAllFinishedSucceeds()
    {
        var run = PipelineSteps.InOrder.Aggregate(PipelineRun.Start(Hour, "timer", Now), (r, step) => r.SkipUnconfiguredStep(step, Now)).Complete(Now);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Null(run.NextStep);
        Assert.Equal(Now, run.CompletedAt);
    }

    [Fact]
    public void AnUnknownStepIsRejected() =>
        Assert.Throws<ArgumentException>(() => PipelineRun.Start(Hour, "timer", Now).BeginStep("Nope", Now));
}
