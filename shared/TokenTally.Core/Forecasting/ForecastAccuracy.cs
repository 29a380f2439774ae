namespace TokenTally.Core.Forecasting;

/// <summary>
/// The M4 competition's accuracy measures: sMAPE, MASE and OWA (Makridakis, Spiliotis and Assimakopoulos, 2020).
/// </summary>
public static class ForecastAccuracy
{
    /// <summary>
    /// The symmetric mean absolute percentage error, in percent (0 to 200):
    /// <c>(100/h)·Σ 2·|Y − F| / (|Y| + |F|)</c>. A step where actual and forecast are both 0 counts as no error.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double SymmetricMape(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        RequireSameNonEmptyLength(actual, forecast);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var denominator = Math.Abs(actual[i]) + Math.Abs(forecast[i]);
            sum += denominator == 0 ? 0 : 2 * Math.Abs(actual[i] - forecast[i]) / denominator;
        }

        return 100 * sum / actual.Length;
    }

    /// <summary>
    /// The in-sample mean absolute error of the seasonal naive one-step forecast, <c>(1/(n−m))·Σ_{t&gt;m} |Y_t − Y_{t−m}|</c>:
    /// MASE's denominator. NaN when the history is not longer than <paramref name="period"/>.
    /// </summary>
    public static double SeasonalNaiveScale(ReadOnlySpan<double> history, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (history.Length <= period)
        {
            return double.NaN;
        }

        var sum = 0.0;
        for (var t = period; t < history.Length; t++)
        {
            sum += Math.Abs(history[t] - history[t - period]);
        }

        return sum / (history.Length - period);
    }

    /// <summary>
    /// The mean absolute scaled error: the forecast's mean absolute error divided by <see cref="SeasonalNaiveScale"/> of
    /// <paramref name="history"/> (M4 uses the period 24 for hourly data). NaN when the scale is 0 or undefined (a
    /// constant or too short history).
    /// </summary>
    /// <exception cref="ArgumentException">The actual and forecast spans differ in length or are empty.</exception>
    public static double Mase(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast, ReadOnlySpan<double> history, int period)
    {
        RequireSameNonEmptyLength(actual, forecast);
        var scale = SeasonalNaiveScale(history, period);
        if (!(scale > 0))
        {
            return double.NaN;
        }

        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - forecast[i]);
        }

        return sum / actual.Length / scale;
    }

    /// <summary>
    /// The overall weighted average relative to Naive2, from means over the same series:
    /// <c>½·(sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2)</c>. Below 1 beats Naive2.
    /// </summary>
    public static double Owa(double symmetricMape, double mase, double naive2SymmetricMape, double naive2Mase) =>
        0.5 * (symmetricMape / naive2SymmetricMape + mase / naive2Mase);

    private static void RequireSameNonEmptyLength(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        if (actual.Length != forecast.Length || actual.Length == 0)
        {
            throw new ArgumentException($"Actual ({actual.Length} values) and forecast ({forecast.Length} values) must be non-empty and of the same length.");
        }
    }
}
