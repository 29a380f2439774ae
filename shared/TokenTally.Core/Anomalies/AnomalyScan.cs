namespace TokenTally.Core.Anomalies;

/// <summary>Runs the detector over a whole series in one pass: the product's scan of a slice and the benchmark's scoring of a file.</summary>
public static class AnomalyScan
{
    /// <summary>The steps after an incident's last flagged point within which a confirmed shift in its direction makes it a level shift.</summary>
    private const int ShiftFollowUp = 6;

    /// <summary>
    /// The anomalies of a series, oldest first: flagged points closer together than
    /// <see cref="AnomalyDetectorOptions.IncidentGap"/> (by default the quiet period) are one incident, reported at its first point with its highest
    /// score and deviation, and as a level shift if any of its points was one or a shift in its direction is confirmed
    /// within six steps of its last flagged point.
    /// </summary>
    /// <param name="start">The time of the first point.</param>
    /// <param name="step">The time between points (one hour for the product's series).</param>
    /// <param name="values">The series, oldest first; NaN marks a missing point.</param>
    /// <param name="options">The detector's configuration (the series' sensitivity included); the defaults when null.</param>
    public static IReadOnlyList<Anomaly> Detect(DateTimeOffset start, TimeSpan step, ReadOnlySpan<double> values, AnomalyDetectorOptions? options = null)
    {
        options ??= AnomalyDetectorOptions.Default;
        var detector = new StreamingAnomalyDetector(step, options);
        List<Anomaly>? anomalies = null;
        var gap = options.IncidentGap ?? options.QuietPeriod;
        var lastFlagged = DateTimeOffset.MinValue;
        for (var i = 0; i < values.Length; i++)
        {
            var point = detector.Observe(values[i]);
            var at = start + (i * step);
            if (point.ShiftConfirmed && anomalies is { Count: > 0 } && at - lastFlagged <= ShiftFollowUp * step
                && Math.Sign(point.Deviation) == Math.Sign(anomalies[^1].Deviation))
            {
                // The incident's first point looked like a spike; the series has stayed at the new level since.
                anomalies[^1] = anomalies[^1] with { Kind = AnomalyKind.LevelShift };
            }

            if (!point.IsAnomaly)
            {
                continue;
            }

            if (anomalies is { Count: > 0 } && at - lastFlagged <= gap)
            {
                var incident = anomalies[^1];
                anomalies[^1] = incident with
                {
                    Kind = incident.Kind == AnomalyKind.LevelShift || point.Kind == AnomalyKind.LevelShift ? AnomalyKind.LevelShift : AnomalyKind.Spike,
                    Score = Math.Max(incident.Score, point.Score),
                    Severity = (AnomalySeverity)Math.Max((int)incident.Severity, (int)point.Severity),
                    Deviation = Math.Abs(point.Deviation) > Math.Abs(incident.Deviation) ? point.Deviation : incident.Deviation,
                };
            }
            else
            {
                (anomalies ??= []).Add(new Anomaly(at, point.Kind, point.Score, point.Severity,
                    point.Observed, point.Expected, point.Lower, point.Upper, point.Deviation));
            }

            lastFlagged = at;
        }

        return anomalies ?? (IReadOnlyList<Anomaly>)[];
    }

    /// <summary>Writes the anomaly score of every point of a series into <paramref name="scores"/>.</summary>
    /// <param name="step">The time between points.</param>
    /// <param name="values">The series, oldest first; NaN marks a missing point.</param>
    /// <param name="scores">Receives one score per value; at least as long as <paramref name="values"/>.</param>
    /// <param name="options">The detector's configuration; the defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is shorter than <paramref name="values"/>.</exception>
    public static void Score(TimeSpan step, ReadOnlySpan<double> values, Span<double> scores, AnomalyDetectorOptions? options = null)
    {
        if (scores.Length < values.Length)
        {
            throw new ArgumentException("There must be room for one score per value.", nameof(scores));
        }

        var detector = new StreamingAnomalyDetector(step, options);
        for (var i = 0; i < values.Length; i++)
        {
            scores[i] = detector.Observe(values[i]).Score;
        }
    }
}
