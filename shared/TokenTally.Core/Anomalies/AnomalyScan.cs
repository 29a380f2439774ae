namespace TokenTally.Core.Anomalies;

/// <summary>Runs the detector over a whole series in one pass: the product's scan of a slice and the benchmark's scoring of a file.</summary>
public static class AnomalyScan
{
    /// <summary>The flagged points of a series, oldest first.</summary>
    /// <param name="start">The time of the first point.</param>
    /// <param name="step">The time between points (one hour for the product's series).</param>
    /// <param name="values">The series, oldest first; NaN marks a missing point.</param>
    /// <param name="options">The detector's configuration (the series' sensitivity included); the defaults when null.</param>
    public static IReadOnlyList<Anomaly> Detect(DateTimeOffset start, TimeSpan step, ReadOnlySpan<double> values, AnomalyDetectorOptions? options = null)
    {
        var detector = new StreamingAnomalyDetector(step, options);
        List<Anomaly>? anomalies = null;
        for (var i = 0; i < values.Length; i++)
        {
            var point = detector.Observe(values[i]);
            if (point.IsAnomaly)
            {
                (anomalies ??= []).Add(new Anomaly(start + (i * step), point.Kind, point.Score, point.Severity,
                    point.Observed, point.Expected, point.Lower, point.Upper, point.Deviation));
            }
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
