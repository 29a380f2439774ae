namespace TokenTally.Core.Forecasting;

/// <summary>
/// Prediction intervals calibrated on backtest errors (in the log space of <see cref="SeriesTransform"/>): the spread
/// at each horizon step (root mean square error over the origins, smoothed over neighbouring steps) times the
/// empirical quantiles of all errors divided by their step's spread, pooled so that a few origins give enough points.
/// </summary>
internal sealed class IntervalCalibration
{
    private const int SmoothingSteps = 4;
    private readonly double[] _spread;
    private readonly double _q025;
    private readonly double _q10;
    private readonly double _q90;
    private readonly double _q975;

    private IntervalCalibration(double[] spread, double q025, double q10, double q90, double q975)
    {
        _spread = spread;
        (_q025, _q10, _q90, _q975) = (q025, q10, q90, q975);
    }

    /// <summary>Calibrates on <paramref name="errors"/>[origin][step] (actual − forecast), skipping origin <paramref name="skip"/>.</summary>
    public static IntervalCalibration FromErrors(IReadOnlyList<double[]> errors, int skip = -1)
    {
        var steps = errors[0].Length;
        var spread = new double[steps];
        for (var h = 0; h < steps; h++)
        {
            double sum = 0;
            var count = 0;
            for (var j = 0; j < errors.Count; j++)
            {
                if (j == skip)
                {
                    continue;
                }

                for (var k = Math.Max(0, h - SmoothingSteps); k <= Math.Min(steps - 1, h + SmoothingSteps); k++)
                {
                    sum += errors[j][k] * errors[j][k];
                    count++;
                }
            }

            spread[h] = count > 0 ? Math.Sqrt(sum / count) : 0;
        }

        var normalised = new List<double>(errors.Count * steps);
        for (var j = 0; j < errors.Count; j++)
        {
            if (j == skip)
            {
                continue;
            }

            for (var h = 0; h < steps; h++)
            {
                normalised.Add(spread[h] > 0 ? errors[j][h] / spread[h] : 0);
            }
        }

        normalised.Sort();
        return new IntervalCalibration(spread, Quantile(normalised, 0.025), Quantile(normalised, 0.10), Quantile(normalised, 0.90), Quantile(normalised, 0.975));
    }

    /// <summary>A calibration with one spread for every step and normal quantiles.</summary>
    public static IntervalCalibration Constant(double spread) =>
        new([spread], -1.959964, -1.281552, 1.281552, 1.959964);

    /// <summary>The interval around the log-space forecast <paramref name="z"/> at step <paramref name="step"/> (0-based), back in the series' units.</summary>
    public ForecastInterval Interval(double z, int step, SeriesTransform transform)
    {
        var spread = step < _spread.Length ? _spread[step] : _spread[^1] * Math.Sqrt((step + 1.0) / _spread.Length);
        return new ForecastInterval(
            transform.Inverse(z),
            transform.Inverse(z + spread * _q10),
            transform.Inverse(z + spread * _q90),
            transform.Inverse(z + spread * _q025),
            transform.Inverse(z + spread * _q975));
    }

    /// <summary>The q-quantile of sorted values, interpolating linearly between order statistics.</summary>
    internal static double Quantile(List<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
