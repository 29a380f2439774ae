namespace TokenTally.Core.Forecasting;

/// <summary>
/// Additive daily (24 h) and weekly (168 h) seasonal components of a series, estimated from its recent past: the
/// series less a centred 2×24 moving average, averaged by hour of day; then, for the weekly part, what remains less
/// each week's mean, by hour of week (the median over weeks when there are three or more). Positions count back from
/// the series' end, so future step h (1-based) has position (h − 1) mod period.
/// </summary>
internal sealed class SeasonalProfile
{
    private readonly double[] _values;

    private SeasonalProfile(double[] values) => _values = values;

    /// <summary>The period of the profile: 1 (none), 24 or 168.</summary>
    public int Period => _values.Length;

    /// <summary>The seasonal component at the position of time index t of a series of length n (t may be ≥ n).</summary>
    public double At(int t, int n) => _values[Mod(t - n, _values.Length)];

    /// <summary>No seasonality: a zero component.</summary>
    public static SeasonalProfile None { get; } = new([0.0]);

    /// <summary>
    /// Estimates the profile from <paramref name="z"/>: daily when <paramref name="weekly"/> is false, daily plus
    /// weekly otherwise; at most <paramref name="days"/> recent days enter the daily part and at most
    /// <paramref name="weeks"/> recent weeks the weekly part.
    /// </summary>
    public static SeasonalProfile Estimate(ReadOnlySpan<double> z, bool weekly, int days, int weeks)
    {
        var n = z.Length;
        const int Day = 24;
        if (n < 2 * Day)
        {
            return None;
        }

        // Centred 2×24 moving average, defined for t in [12, n − 12).
        var prefix = new double[n + 1];
        for (var t = 0; t < n; t++)
        {
            prefix[t + 1] = prefix[t] + z[t];
        }

        var trend = new double[n];
        for (var t = 12; t < n - 12; t++)
        {
            trend[t] = (prefix[t + 12] - prefix[t - 11] + 0.5 * (z[t - 12] + z[t + 12])) / Day;
        }

        var first = Math.Max(12, n - 12 - days * Day);
        var last = n - 12; // exclusive
        var daily = new double[Day];
        var counts = new int[Day];
        for (var t = first; t < last; t++)
        {
            var p = Mod(t - n, Day);
            daily[p] += z[t] - trend[t];
            counts[p]++;
        }

        for (var p = 0; p < Day; p++)
        {
            daily[p] = counts[p] > 0 ? daily[p] / counts[p] : 0;
        }

        Center(daily);
        if (!weekly)
        {
            return new SeasonalProfile(daily);
        }

        // The weekly part is what remains after the daily profile, less each week's own mean: a 24-hour moving
        // average would follow the quiet weekend and hide it from the profile.
        const int Week = 168;
        var weeklyPart = new double[Week];
        var blocks = Math.Min(weeks, n / Week);
        var samples = new double[Week, blocks];
        for (var b = 0; b < blocks; b++)
        {
            var blockStart = n - (b + 1) * Week;
            var blockMean = 0.0;
            for (var t = blockStart; t < blockStart + Week; t++)
            {
                blockMean += z[t] - daily[Mod(t - n, Day)];
            }

            blockMean /= Week;
            for (var t = blockStart; t < blockStart + Week; t++)
            {
                var p = Mod(t - n, Week);
                samples[p, b] = z[t] - daily[p % Day] - blockMean;
            }
        }

        // The median over weeks when there are three or more, so one week's spike or outage does not recur.
        var column = new double[blocks];
        for (var p = 0; p < Week; p++)
        {
            for (var b = 0; b < blocks; b++)
            {
                column[b] = samples[p, b];
            }

            weeklyPart[p] = blocks >= 3 ? Median(column) : column.Average();
        }

        Center(weeklyPart);
        var combined = new double[Week];
        for (var p = 0; p < Week; p++)
        {
            combined[p] = daily[p % Day] + weeklyPart[p];
        }

        return new SeasonalProfile(combined);
    }

    /// <summary>The series less its seasonal component.</summary>
    public double[] Deseasonalise(ReadOnlySpan<double> z)
    {
        var result = new double[z.Length];
        for (var t = 0; t < z.Length; t++)
        {
            result[t] = z[t] - At(t, z.Length);
        }

        return result;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
    }

    private static void Center(double[] values)
    {
        var mean = values.Average();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] -= mean;
        }
    }

    internal static int Mod(int a, int m) => ((a % m) + m) % m;
}
