using Microsoft.Extensions.Options;
using TokenTally.Core.Pipeline;
using TokenTally.Functions.Hosting;

namespace TokenTally.Functions.Pipeline;

/// <summary>One step of the hourly pipeline. Steps must be idempotent: a crash re-runs the unfinished one.</summary>
public interface IPipelineStep
{
    /// <summary>One of <see cref="PipelineSteps.InOrder"/>.</summary>
    string Name { get; }

    Task RunAsync(DateTimeOffset hour, CancellationToken cancellationToken);
}

public enum RunOutcome
{
    /// <summary>This call ran the hour to the end (every step finished).</summary>
    Completed,

    /// <summary>This call ran the hour and a step failed.</summary>
    Failed,

    /// <summary>The hour was already complete: nothing to do.</summary>
    AlreadyCompleted,

    /// <summary>Another instance holds the hour's lease.</summary>
    HeldElsewhere,
}

public sealed record RunReport(RunOutcome Outcome, PipelineRun Run);

/// <summary>
/// Runs the pipeline for one hour with Durable-like guarantees: the run record is the lease (etag
/// checked on every write), finished steps are never repeated, a step without an implementation
/// is recorded as not configured.
/// </summary>
public sealed partial class HourlyPipelineRunner(
    PipelineRunStore runs,
    IEnumerable<IPipelineStep> steps,
    TimeProvider time,
    IOptions<PipelineOptions> options,
    ILogger<HourlyPipelineRunner> logger)
{
    // The last registration of a step wins, so a deployment (or a test) can replace one.
    private readonly Dictionary<string, IPipelineStep> _steps = steps.GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    /// <summary>
    /// Resumes, each at its first unfinished step, the runs of the last day that an instance left running when it died
    /// (their lease has expired). The timer calls this after its own hour, so a crash is repaired at the next firing even
    /// where the dead instance's work item is gone: local mode's queue lives in memory.
    /// </summary>
    public async Task<IReadOnlyList<RunReport>> ResumeInterruptedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reports = new List<RunReport>();
        foreach (var run in await runs.ListAsync(now.AddDays(-1), now, cancellationToken))
        {
            if (run.Status == RunStatus.Running && run.StartedAt + options.Value.LeaseDuration <= now)
            {
                reports.Add(await RunAsync(run.Hour, "resume", cancellationToken));
            }
        }

        return reports;
    }

    /// <summary>Runs the hour; with <paramref name="rerun"/> a completed hour runs all its steps again (a backfill).</summary>
    public async Task<RunReport> RunAsync(DateTimeOffset hour, string trigger, CancellationToken cancellationToken, bool rerun = false)
    {
        var taken = await TakeAsync(hour, trigger, rerun, cancellationToken);
        if (taken.Report is not null)
        {
            return taken.Report;
        }

        var current = taken.Run!;
        while (current.Run.NextStep is { } step)
        {
            if (!_steps.TryGetValue(step.Name, out var implementation))
            {
                current = await SaveAsync(current, current.Run.SkipUnconfiguredStep(step.Name, time.GetUtcNow()), cancellationToken);
                continue;
            }

            for (var attempt = 1; ; attempt++)
            {
                current = await SaveAsync(current, current.Run.BeginStep(step.Name, time.GetUtcNow()), cancellationToken);
                try
                {
                    await implementation.RunAsync(hour, cancellationToken);
                    current = await SaveAsync(current, current.Run.CompleteStep(step.Name, time.GetUtcNow()), cancellationToken);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException and not LeaseLostException)
                {
                    LogStepFailed(logger, e, step.Name, current.Run.Id, attempt);
                    current = await SaveAsync(current, current.Run.FailStep(step.Name, e.Message, time.GetUtcNow()), cancellationToken);
                    if (attempt >= options.Value.MaxStepAttempts)
                    {
                        current = await SaveAsync(current, current.Run.Complete(time.GetUtcNow()), cancellationToken);
                        return new RunReport(RunOutcome.Failed, current.Run);
                    }

                    await Task.Delay(Backoff(attempt), time, cancellationToken);
                }
            }
        }

        current = await SaveAsync(current, current.Run.Complete(time.GetUtcNow()), cancellationToken);
        LogRunCompleted(logger, current.Run.Id, current.Run.Trigger, current.Run.Attempts);
        return new RunReport(RunOutcome.Completed, current.Run);
    }

    private async Task<(StoredRun? Run, RunReport? Report)> TakeAsync(DateTimeOffset hour, string trigger, bool rerun, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var existing = await runs.GetAsync(hour, cancellationToken);
        if (existing is null)
        {
            var created = await runs.CreateAsync(PipelineRun.Start(hour, trigger, now), cancellationToken);
            if (created is not null)
            {
                return (created, null);
            }

            existing = await runs.GetAsync(hour, cancellationToken) ?? throw new InvalidOperationException($"Run {PipelineRun.IdFor(hour)} vanished while being created.");
        }

        var run = existing.Run;
        if (run.Status == RunStatus.Running && run.StartedAt + options.Value.LeaseDuration > now)
        {
            return (null, new RunReport(RunOutcome.HeldElsewhere, run));
        }

        if (run.Status == RunStatus.Succeeded && !rerun)
        {
            return (null, new RunReport(RunOutcome.AlreadyCompleted, run));
        }

        var next = run.Status == RunStatus.Succeeded ? run.Restart(trigger, now) : run.Resume(trigger, now);
        var resumed = await runs.ReplaceAsync(next, existing.ETag, cancellationToken);
        return resumed is null
            ? (null, new RunReport(RunOutcome.HeldElsewhere, run))
            : (resumed, null);
    }

    private async Task<StoredRun> SaveAsync(StoredRun current, PipelineRun next, CancellationToken cancellationToken) =>
        await runs.ReplaceAsync(next, current.ETag, cancellationToken)
        ?? throw new LeaseLostException($"Run {next.Id} was taken over by another instance; this one stops.");

    private TimeSpan Backoff(int attempt)
    {
        var delay = options.Value.RetryBaseDelay * Math.Pow(2, attempt - 1);
        return delay > options.Value.RetryMaxDelay ? options.Value.RetryMaxDelay : delay;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline step {Step} failed for run {RunId} (attempt {Attempt})")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string step, string runId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline run {RunId} ({Trigger}, attempt {Attempt}) completed")]
    private static partial void LogRunCompleted(ILogger logger, string runId, string trigger, int attempt);
}

/// <summary>Another instance wrote the run record since this one read it.</summary>
public sealed class LeaseLostException(string message) : Exception(message);
