namespace TokenTally.Core.Pipeline;

/// <summary>The steps of the hourly pipeline, in the order they run.</summary>
public static class PipelineSteps
{
    /// <summary>Recomputes the hour's rollups from stored call records.</summary>
    public const string Rollup = "Rollup";

    /// <summary>Checks budgets against the new totals.</summary>
    public const string Budgets = "Budgets";

    /// <summary>Scans the hour for anomalies.</summary>
    public const string Anomalies = "Anomalies";

    /// <summary>Updates the spend forecast.</summary>
    public const string Forecast = "Forecast";

    /// <summary>Sends the alerts the earlier steps raised.</summary>
    public const string Alerts = "Alerts";

    /// <summary>Writes the hour's call records to the cold archive.</summary>
    public const string Archive = "Archive";

    /// <summary>Rollup → Budgets → Anomalies → Forecast → Alerts → Archive.</summary>
    public static IReadOnlyList<string> InOrder { get; } = [Rollup, Budgets, Anomalies, Forecast, Alerts, Archive];
}

/// <summary>Where a pipeline run stands.</summary>
public enum RunStatus
{
    /// <summary>A runner holds the run.</summary>
    Running,

    /// <summary>Every step finished.</summary>
    Succeeded,

    /// <summary>A step failed after its last attempt.</summary>
    Failed,
}

/// <summary>Where one step of a run stands.</summary>
public enum StepStatus
{
    /// <summary>Not started.</summary>
    Pending,

    /// <summary>Started and not yet ended (or its runner crashed).</summary>
    Running,

    /// <summary>Done.</summary>
    Succeeded,

    /// <summary>The last attempt failed.</summary>
    Failed,

    /// <summary>No implementation is registered for the step: recorded as such, never faked.</summary>
    NotConfigured,
}

/// <summary>The record of one step inside a run.</summary>
/// <param name="Name">One of <see cref="PipelineSteps.InOrder"/>.</param>
/// <param name="Status">Where the step stands.</param>
/// <param name="Attempts">How many times the step has been started.</param>
/// <param name="StartedAt">When the last attempt started (UTC).</param>
/// <param name="EndedAt">When the last attempt ended (UTC).</param>
/// <param name="Error">The last failure's message, if any.</param>
public sealed record StepRecord(string Name, StepStatus Status, int Attempts, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Error)
{
    /// <summary>A step that has not run yet.</summary>
    public static StepRecord Pending(string name) => new(name, StepStatus.Pending, 0, null, null, null);

    /// <summary>True once the step needs no more work in this run.</summary>
    public bool IsFinished => Status is StepStatus.Succeeded or StepStatus.NotConfigured;
}

/// <summary>
/// The run record of the hourly pipeline for one closed hour: which hour, who triggered it, when it
/// ran, and each step's outcome. Immutable; every transition returns a new record, so the storage
/// edge can write it with an etag check.
/// </summary>
/// <param name="Hour">The start of the closed hour the run covers (UTC, on the hour).</param>
/// <param name="Trigger">What started the run: <c>timer</c>, <c>manual</c>, <c>backfill</c>, or <c>resume</c> (the timer resuming a run a dead instance left unfinished).</param>
/// <param name="Status">Where the run stands.</param>
/// <param name="Attempts">How many times a runner has taken the run.</param>
/// <param name="CreatedAt">When the record was first written (UTC).</param>
/// <param name="StartedAt">When the current attempt started (UTC).</param>
/// <param name="CompletedAt">When the run finished (UTC), if it has.</param>
/// <param name="Steps">One record per step in <see cref="PipelineSteps.InOrder"/>.</param>
public sealed record PipelineRun(
    DateTimeOffset Hour,
    string Trigger,
    RunStatus Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<StepRecord> Steps)
{
    /// <summary>The run id: the hour it covers, <c>yyyy-MM-ddTHH</c>.</summary>
    public string Id => IdFor(Hour);

    /// <summary>The id of the run for <paramref name="hour"/>.</summary>
    public static string IdFor(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A new run for <paramref name="hour"/>, started at <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentException">The hour is not whole or not UTC.</exception>
    public static PipelineRun Start(DateTimeOffset hour, string trigger, DateTimeOffset now)
    {
        if (hour.Offset != TimeSpan.Zero || hour.Ticks % TimeSpan.TicksPerHour != 0)
        {
            throw new ArgumentException($"A run covers a whole UTC hour; {hour:O} is not one.", nameof(hour));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        return new PipelineRun(hour, trigger, RunStatus.Running, 1, now, now, null, PipelineSteps.InOrder.Select(StepRecord.Pending).ToList());
    }

    /// <summary>Takes the run again after a failure or crash: finished steps stay finished.</summary>
    public PipelineRun Resume(string trigger, DateTimeOffset now) =>
        this with { Trigger = trigger, Status = RunStatus.Running, Attempts = Attempts + 1, StartedAt = now, CompletedAt = null };

    /// <summary>Runs a completed hour again from its first step (a backfill after late data or a price change).</summary>
    public PipelineRun Restart(string trigger, DateTimeOffset now) =>
        this with
        {
            Trigger = trigger,
            Status = RunStatus.Running,
            Attempts = Attempts + 1,
            StartedAt = now,
            CompletedAt = null,
            Steps = Steps.Select(s => StepRecord.Pending(s.Name) with { Attempts = s.Attempts }).ToList(),
        };

    /// <summary>The first step that still needs work, or null when all are finished.</summary>
    public StepRecord? NextStep => Steps.FirstOrDefault(s => !s.IsFinished);

    /// <summary>Marks <paramref name="name"/> as started.</summary>
    public PipelineRun BeginStep(string name, DateTimeOffset now) =>
        WithStep(name, s => s with { Status = StepStatus.Running, Attempts = s.Attempts + 1, StartedAt = now, EndedAt = null, Error = null });

    /// <summary>Marks <paramref name="name"/> as done.</summary>
    public PipelineRun CompleteStep(string name, DateTimeOffset now) =>
        WithStep(name, s => s with { Status = StepStatus.Succeeded, EndedAt = now });

    /// <summary>Records that <paramref name="name"/> has no implementation configured.</summary>
    public PipelineRun SkipUnconfiguredStep(string name, DateTimeOffset now) =>
        WithStep(name, s => s with { Status = StepStatus.NotConfigured, StartedAt = now, EndedAt = now });

    /// <summary>Records a failed attempt of <paramref name="name"/>.</summary>
    public PipelineRun FailStep(string name, string error, DateTimeOffset now) =>
        WithStep(name, s => s with { Status = StepStatus.Failed, EndedAt = now, Error = error });

    /// <summary>Ends the run: succeeded when every step is finished, failed otherwise.</summary>
    public PipelineRun Complete(DateTimeOffset now) =>
        this with { Status = Steps.All(s => s.IsFinished) ? RunStatus.Succeeded : RunStatus.Failed, CompletedAt = now };

    private PipelineRun WithStep(string name, Func<StepRecord, StepRecord> change)
    {
        var index = Steps.ToList().FindIndex(s => s.Name == name);
        if (index < 0)
        {
            throw new ArgumentException($"The pipeline has no step '{name}'.", nameof(name));
        }

        var steps = Steps.ToArray();
        steps[index] = change(steps[index]);
        return this with { Steps = steps };
    }

    /// <summary>The last closed hour at <paramref name="now"/>: at 10:05 it is 09:00–10:00.</summary>
    public static DateTimeOffset LastClosedHour(DateTimeOffset now) => Rollups.TimeBuckets.HourStart(now).AddHours(-1);
}
