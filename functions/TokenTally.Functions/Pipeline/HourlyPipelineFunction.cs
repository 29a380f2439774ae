using TokenTally.Core.Pipeline;
using TokenTally.Functions.Invocations;

namespace TokenTally.Functions.Pipeline;

/// <summary>The timer function (NCRONTAB <c>0 5 * * * *</c>): runs the pipeline for the last closed hour, then resumes runs a dead instance left unfinished.</summary>
public sealed class HourlyPipelineFunction(HourlyPipelineRunner runner, TimeProvider time) : TimerFunction
{
    public const string Name = "HourlyPipeline";

    public override string FunctionName => Name;

    protected override async Task<InvocationResult> RunAsync(TimerInvocation timer, InvocationContext context, CancellationToken cancellationToken)
    {
        // The host's clock at invocation decides the hour, so a past-due firing after a restart still covers the hour it was meant for.
        var hour = PipelineRun.LastClosedHour(timer.System.UtcNow ?? time.GetUtcNow());
        var report = await runner.RunAsync(hour, "timer", cancellationToken);
        var run = report.Run;
        var notConfigured = run.Steps.Count(s => s.Status == StepStatus.NotConfigured);
        context.Log($"Hourly pipeline {run.Id}: {report.Outcome} (attempt {run.Attempts}, {notConfigured} of {run.Steps.Count} steps not configured){(timer.Timer.IsPastDue ? ", past due" : string.Empty)}.");
        foreach (var resumed in await runner.ResumeInterruptedAsync(cancellationToken))
        {
            context.Log($"Resumed interrupted run {resumed.Run.Id}: {resumed.Outcome} (attempt {resumed.Run.Attempts}).");
        }

        return report.Outcome == RunOutcome.Failed
            ? new InvocationResult.Failed($"Pipeline run {run.Id} failed at step {run.Steps.First(s => s.Status == StepStatus.Failed).Name}.")
            : InvocationResult.Done();
    }
}
