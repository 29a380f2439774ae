namespace TokenTally.Core.Anomalies;

/// <summary>An incident on a series: its first flagged point, with the highest score and deviation of its flagged points.</summary>
/// <param name="Timestamp">The point's time (the start of its hour for hourly series).</param>
/// <param name="Kind">A spike or a level shift.</param>
/// <param name="Score">The anomaly score in [0, 1].</param>
/// <param name="Severity">How far outside the expected range the point lies.</param>
/// <param name="Observed">The value at the first flagged point.</param>
/// <param name="Expected">The value the detector expected from the points before.</param>
/// <param name="Lower">The lower end of the 95 % expected range.</param>
/// <param name="Upper">The upper end of the 95 % expected range.</param>
/// <param name="Deviation">The evidence, in standard deviations (signed: negative for a drop).</param>
public sealed record Anomaly(
    DateTimeOffset Timestamp,
    AnomalyKind Kind,
    double Score,
    AnomalySeverity Severity,
    double Observed,
    double Expected,
    double Lower,
    double Upper,
    double Deviation);
