namespace TokenTally.Core.Forecasting;

/// <summary>
/// Prediction intervals calibrated on backtest errors (in the log space of <see cref="SeriesTransform"/>): the spread
/// at each horizon step (root mean square error over the origins, smoothed over neighbouring steps) times the
/// empirical quantiles of all errors divided by their step's spread, pooled so that a few origins give enough points.
/// </summary>
internal sealed class IntervalCalibration
{
    private const int SmoothingSteps = 4;
    private const int MinEmpiricalErrors = 100;
    private const double Normal90 = 1.281552;
    private const double Normal975 = 1.959964;
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

        var factor = SmallSampleFactor(errors.Count - (skip >= 0 ? 1 : 0));
        if (normalised.Count < MinEmpiricalErrors)
        {
            // Too few errors for empirical tail quantiles (the 2.5 % one would be the minimum): normal quantiles on the spread.
            return new IntervalCalibration(spread, -Normal975 * factor, -Normal90 * factor, Normal90 * factor, Normal975 * factor);
        }

        normalised.Sort();
        return new IntervalCalibration(
            spread,
            Quantile(normalised, 0.025) * factor,
            Quantile(normalised, 0.10) * factor,
            Quantile(normalised, 0.90) * factor,
            Quantile(normalised, 0.975) * factor);
    }

    /// <summary>A calibration with one spread for every step and normal quantiles; <paramref name="origins"/> &gt; 0 widens it as <see cref="SmallSampleFactor"/>.</summary>
    public static IntervalCalibration Constant(double spread, int origins = 0) =>
        new([spread * (origins > 0 ? SmallSampleFactor(origins) : 1)], -Normal975, -Normal90, Normal90, Normal975);

    /// <summary>
    /// √(1 + 1/k) for k backtest origins: the spread seen at a few past origins understates the next origin's, as a
    /// sample variance understates a prediction's (the future error and the fitted spread both vary).
    /// </summary>
    internal static double SmallSampleFactor(int origins) => Math.Sqrt(1 + 1.0 / Math.Max(origins, 1));

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
