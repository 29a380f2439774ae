namespace TokenTally.Core.Anomalies;

/// <summary>
/// Turns what users said about a series' past anomalies into the series' sensitivity: every anomaly marked a false
/// positive or expected lowers it, every one confirmed wins some of it back, never above the starting sensitivity.
/// </summary>
public static class SensitivityFeedback
{
    /// <summary>The lowest sensitivity feedback can reach: 0.1 (flags from about 9 standard deviations).</summary>
    public const double MinimumSensitivity = 0.1;

    /// <summary>The sensitivity of a series given the feedback on its anomalies.</summary>
    /// <param name="baseline">The sensitivity without feedback, in [0, 1] (usually <see cref="AnomalyDetectorOptions.Sensitivity"/>).</param>
    /// <param name="falsePositives">Anomalies of the series marked false positive; each multiplies the sensitivity by 0.8.</param>
    /// <param name="expected">Anomalies marked expected (real, but not worth an alert); each multiplies it by 0.9.</param>
    /// <param name="confirmed">Anomalies confirmed as real; each divides it by 0.9, up to <paramref name="baseline"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or the baseline is outside [0, 1].</exception>
    public static double Sensitivity(double baseline, int falsePositives, int expected, int confirmed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(baseline, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(baseline, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(falsePositives);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        ArgumentOutOfRangeException.ThrowIfNegative(confirmed);
        var factor = Math.Pow(0.8, falsePositives) * Math.Pow(0.9, expected) / Math.Pow(0.9, confirmed);
        return Math.Min(baseline, Math.Max(Math.Min(MinimumSensitivity, baseline), baseline * factor));
    }
}
