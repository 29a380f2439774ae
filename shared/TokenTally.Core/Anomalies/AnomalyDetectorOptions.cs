namespace TokenTally.Core.Anomalies;

/// <summary>
/// How the anomaly detector learns a series and when it flags a point. The defaults are the one configuration that runs
/// in the product and in the NAB harness; every rate is per step of the series, so it carries over between steps.
/// </summary>
public sealed record AnomalyDetectorOptions
{
    /// <summary>The options every series uses unless it has its own sensitivity.</summary>
    public static AnomalyDetectorOptions Default { get; } = new();

    /// <summary>
    /// How readily points are flagged, from 0 (only far beyond anything the series has done) to 1 (anything beyond it).
    /// Default 0.6; see <see cref="FlagNovelty"/>. Feedback lowers it per series
    /// (<see cref="SensitivityFeedback"/>).
    /// </summary>
    public double Sensitivity { get; init; } = 0.6;

    /// <summary>How fast the level-only model follows the series (exponential smoothing weight per step). Default 0.05.</summary>
    public double LevelSmoothing { get; init; } = 0.05;

    /// <summary>
    /// How fast a seasonal model's level follows the series (weight per step). Default 0.02: a faster level would
    /// follow the daily cycle itself and leave the profile to learn a moving target.
    /// </summary>
    public double SeasonalLevelSmoothing { get; init; } = 0.02;

    /// <summary>How fast a seasonal profile follows the series (weight per visit of a phase). Default 0.15.</summary>
    public double SeasonalSmoothing { get; init; } = 0.15;

    /// <summary>
    /// How fast the noise scale follows the series (weight per step). Default 0.01 (a memory of about 100 steps): slow
    /// enough that a burst does not widen the expected range before it has been flagged.
    /// </summary>
    public double ScaleSmoothing { get; init; } = 0.01;

    /// <summary>
    /// The bound, in standard deviations, at which an error is clipped before it updates the level and the seasonal
    /// profiles (a Huber-type update), so the spikes the detector looks for do not drag its baseline. Default 2.5.
    /// </summary>
    public double HuberBound { get; init; } = 2.5;

    /// <summary>
    /// The CUSUM's allowance per step, in standard deviations: a run of errors keeps growing while their mean exceeds it,
    /// so shifts of about twice this size are tracked. Default 0.25.
    /// </summary>
    public double ShiftDrift { get; init; } = 0.25;

    /// <summary>The deviation, in standard deviations, above which a run of same-signed errors is confirmed as a new level and the baseline moves to it. Default 6.</summary>
    public double ShiftConfirmation { get; init; } = 6.0;

    /// <summary>
    /// How long the level and the noise scale settle before points are scored: default 12 hours, and never fewer than
    /// <see cref="MinimumWarmUpSteps"/> steps.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The fewest steps of warm-up, whatever the step. Default 24.</summary>
    public int MinimumWarmUpSteps { get; init; } = 24;

    /// <summary>
    /// How long after a new record a further record that does not outdo it is scored down (to 30 %), so one incident
    /// raises one alert. Default 3 days.
    /// </summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromDays(3);

    /// <summary>
    /// How close flagged points must follow each other for <see cref="AnomalyScan.Detect"/> to report them as one incident;
    /// null for <see cref="QuietPeriod"/>. It groups what is reported and changes no point's score.
    /// </summary>
    public TimeSpan? IncidentGap { get; init; }

    /// <summary>The factor by which a record within <see cref="QuietPeriod"/> of the previous one that does not outdo it is scored down. Default 0.3.</summary>
    public double QuietDamping { get; init; } = 0.3;

    /// <summary>The weight of a point going beyond the range of the series' past values, in widths of that range. Default 1.5.</summary>
    public double RangeWeight { get; init; } = 1.5;

    /// <summary>The weight of a spike going beyond the spike record, against going beyond the range of past values. Default 0.15.</summary>
    public double DeviationWeight { get; init; } = 0.15;

    /// <summary>The weight of a level shift's evidence going beyond the shift record, against going beyond the range of past values. Default 0.225.</summary>
    public double ShiftWeight { get; init; } = 0.225;

    /// <summary>
    /// The least bar, in standard deviations, a spike or a shift must clear: it counts by how far it goes beyond the
    /// larger of this and the series' largest recent deviation of its kind, in multiples of that bar. Default 5.
    /// </summary>
    public double RecordFloor { get; init; } = 5.0;

    /// <summary>
    /// How long the largest deviations are remembered (e-folding time): a burst as large as one two weeks ago counts
    /// again. Default 14 days.
    /// </summary>
    public TimeSpan RecordMemory { get; init; } = TimeSpan.FromDays(14);

    /// <summary>The smallest noise scale, as a fraction of the series' mean absolute value, so flat series do not flag rounding. Default 0.01.</summary>
    public double RelativeNoiseFloor { get; init; } = 0.01;

    /// <summary>
    /// The novelty from which a point is flagged: 0.05 at sensitivity 1 (5 % beyond the series' record), 0.15 at the
    /// default 0.6 (a spike of 10 standard deviations on a quiet series), 0.8 at 0.
    /// </summary>
    public double FlagNovelty => 0.05 * Math.Pow(4.0, 2.0 * (1.0 - Math.Clamp(Sensitivity, 0.0, 1.0)));
}
