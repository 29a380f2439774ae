namespace TokenTally.Core.Forecasting;

/// <summary>Level forecasts of a deseasonalised series: simple exponential smoothing and the Theta method.</summary>
internal static class ExponentialSmoothing
{
    private static readonly double[] AlphaGrid = [0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 0.95];

    /// <summary>
    /// Simple exponential smoothing with the smoothing constant that minimises the in-sample one-step squared error
    /// (searched on a grid); returns the final level and the chosen constant.
    /// </summary>
    public static (double Level, double Alpha) Ses(ReadOnlySpan<double> a)
    {
        var bestLevel = a[^1];
        var bestAlpha = 1.0;
        var bestError = double.PositiveInfinity;
        var start = Math.Min(a.Length, 24);
        var initial = 0.0;
        for (var t = 0; t < start; t++)
        {
            initial += a[t];
        }

        initial /= start;
        foreach (var alpha in AlphaGrid)
        {
            var level = initial;
            var error = 0.0;
            for (var t = 0; t < a.Length; t++)
            {
                var e = a[t] - level;
                error += e * e;
                level += alpha * e;
            }

            if (error < bestError)
            {
                bestError = error;
                bestLevel = level;
                bestAlpha = alpha;
            }
        }

        return (bestLevel, bestAlpha);
    }

    /// <summary>
    /// The Theta method (Assimakopoulos and Nikolopoulos; Hyndman and Billah's form): SES plus half the slope of the
    /// least-squares line, <c>SES + b/2·(h − 1 + 1/α − (1 − α)^n/α)</c>.
    /// </summary>
    public static void Theta(ReadOnlySpan<double> a, Span<double> forecast)
    {
        var (level, alpha) = Ses(a);
        var n = a.Length;
        var slope = Slope(a);
        var tail = 1 / alpha - Math.Pow(1 - alpha, n) / alpha;
        for (var h = 1; h <= forecast.Length; h++)
        {
            forecast[h - 1] = level + slope / 2 * (h - 1 + tail);
        }
    }

    /// <summary>The slope of the least-squares line through the points (t, a_t).</summary>
    public static double Slope(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 2)
        {
            return 0;
        }

        var meanT = (n - 1) / 2.0;
        double meanA = 0;
        for (var t = 0; t < n; t++)
        {
            meanA += a[t];
        }

        meanA /= n;
        double sxy = 0, sxx = 0;
        for (var t = 0; t < n; t++)
        {
            sxy += (t - meanT) * (a[t] - meanA);
            sxx += (t - meanT) * (t - meanT);
        }

        return sxy / sxx;
    }
}
