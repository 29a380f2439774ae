namespace TokenTally.Application.Pipeline;

/// <summary>TokenTally:Pipeline — the hourly orchestration and backfills.</summary>
public sealed class PipelineOptions
{
    public const string Section = "TokenTally:Pipeline";

    /// <summary>Most changed tenant-hours one hourly run rolls up (the newest first); the rest wait for the next run.</summary>
    public int MaxChangedHoursPerRun { get; set; } = 1_000;

    /// <summary>
    /// Hours before the run's hour that every run recomputes for every tenant whether marked or not: a fallback for marks
    /// lost to a crash between a call's write and its mark.
    /// </summary>
    public int FallbackHours { get; set; } = 3;

    /// <summary>Activities (or a backfill's hours) in flight at once.</summary>
    public int MaxParallelism { get; set; } = 8;

    /// <summary>Attempts of a failing activity (the first included) before it fails for good.</summary>
    public int ActivityAttempts { get; set; } = 3;

    /// <summary>The wait before an activity's second attempt; it doubles per attempt up to one minute.</summary>
    public TimeSpan FirstRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most hours one backfill may cover.</summary>
    public int MaxBackfillHours { get; set; } = 24 * 62;

    /// <summary>Whether runs export rollups: set from TokenTally:Export:LogsIngestion at start-up, not a setting of this section.</summary>
    internal bool ExportRollups { get; set; }

    /// <summary>The settings an orchestration carries in its input, so that replays read the values the run started with.</summary>
    public RunSettings ToRunSettings() => new(MaxChangedHoursPerRun, FallbackHours, MaxParallelism, ActivityAttempts, FirstRetryInterval, ExportRollups);
}

/// <summary>The pipeline settings in force when a run started.</summary>
/// <param name="MaxChangedHours">Most changed tenant-hours one run takes.</param>
/// <param name="FallbackHours">Hours every run recomputes whether marked or not.</param>
/// <param name="MaxParallelism">Activities in flight at once.</param>
/// <param name="ActivityAttempts">Attempts of a failing activity.</param>
/// <param name="FirstRetryInterval">The wait before an activity's second attempt.</param>
/// <param name="ExportRollups">Whether the run sends its rolled-up hours to the Logs Ingestion API (the export step).</param>
public sealed record RunSettings(int MaxChangedHours, int FallbackHours, int MaxParallelism, int ActivityAttempts, TimeSpan FirstRetryInterval, bool ExportRollups = false);
