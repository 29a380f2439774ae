namespace TokenTally.Core.Anomalies;

/// <summary>The detector's verdict on one point of a series, using only the points up to it.</summary>
/// <param name="Observed">The point's value (NaN for a missing point).</param>
/// <param name="Expected">The value the detector expected, from the points before.</param>
/// <param name="Lower">The lower end of the 95 % expected range.</param>
/// <param name="Upper">The upper end of the 95 % expected range.</param>
/// <param name="Deviation">The evidence against the expectation, in standard deviations of the calibrated errors (signed by direction): the point's own error, or the run's Σz/√k when a level shift is building.</param>
/// <param name="Score">The anomaly score in [0, 1): how far the point goes beyond what the series has done before (<see cref="StreamingAnomalyDetector.ScoreOf"/>); 0 for most points.</param>
/// <param name="Kind">The kind of departure when flagged; <see cref="AnomalyKind.None"/> otherwise.</param>
/// <param name="ShiftConfirmed">Whether a run of same-signed errors was confirmed as a new level at this point (the baseline moved to it), flagged or not.</param>
public readonly record struct PointAssessment(
    double Observed,
    double Expected,
    double Lower,
    double Upper,
    double Deviation,
    double Score,
    AnomalyKind Kind,
    bool ShiftConfirmed = false)
{
    /// <summary>Whether the point was flagged at the detector's sensitivity.</summary>
    public bool IsAnomaly => Kind != AnomalyKind.None;

    /// <summary>The severity of a flagged point, from <see cref="Deviation"/>.</summary>
    public AnomalySeverity Severity => Math.Abs(Deviation) switch
    {
        < 5.0 => AnomalySeverity.Low,
        < 8.0 => AnomalySeverity.Medium,
        < 15.0 => AnomalySeverity.High,
        _ => AnomalySeverity.Critical,
    };
}
