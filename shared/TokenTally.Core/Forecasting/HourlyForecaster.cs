using TokenTally.Core.Budgets;

namespace TokenTally.Core.Forecasting;

/// <summary>
/// Forecasts an hourly series with daily (24 h) and weekly (168 h) seasonality, with 80 % and 95 % prediction
/// intervals calibrated on a rolling-origin backtest of the series itself, and projects a period's spend to its end.
/// </summary>
/// <remarks>
/// <para>
/// <b>Point forecast.</b> In logs (see <see cref="SeriesTransform"/>), a combination of ten methods: seasonal naive
/// (day and week), and daily or daily-plus-weekly seasonal profiles (from the last 3 or 14 days, and the median of up
/// to 4 weeks) with an exponentially smoothed or Theta level. Each is weighted by its error over four 48-hour windows
/// at the end of the history, to the power −6. Only the last <see cref="MaxFitHours"/> hours are used. The hourly
/// forecast is a median; period sums add expected values (see <see cref="ForecastPeriod"/>).
/// </para>
/// <para>
/// <b>Short histories.</b> Weekly methods need two weeks, daily ones two days; below
/// <see cref="MinimumHistory"/> points the forecast is the (geometric) mean. Forecasts are never negative; a constant
/// history is forecast as that constant with zero-width intervals.
/// </para>
/// <para>
/// <b>Intervals.</b> The model is refitted at up to <see cref="MaxBacktestOrigins"/> origins 48 hours apart (never
/// using less than half the history) and its errors at each of the next 48 hours set the interval widths; beyond 48
/// hours the spread grows with the square root of the horizon. Without a backtest origin the spread is that of the
/// history around its mean. Daily and period totals get their own backtest of the sums (see
/// <see cref="ForecastPeriod"/>).
/// </para>
/// <para>
/// <b>Cost.</b> Each method is fitted once at each origin 48 hours apart that the backtest and the validation windows
/// need (at most 13), each fit linear in the fitted hours: a few milliseconds for 90 days.
/// Instances are stateless and thread-safe.
/// </para>
/// </remarks>
public sealed class HourlyForecaster
{
    /// <summary>The most recent hours the model is fitted on: 6 weeks.</summary>
    public const int MaxFitHours = 6 * SeasonalMethod.Week;

    /// <summary>Below this many points the forecast is the geometric mean of the history.</summary>
    public const int MinimumHistory = 6;

    /// <summary>The most backtest origins used for the intervals.</summary>
    public const int MaxBacktestOrigins = 8;

    /// <summary>Forecasts the <paramref name="hours"/> hours after <paramref name="series"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hours"/> is negative.</exception>
    public HourlyForecast Forecast(HourlySeries series, int hours)
    {
        ArgumentNullException.ThrowIfNull(series);
        return Forecast([.. series.Values], hours) with { Start = series.End };
    }

    /// <summary>Forecasts the <paramref name="hours"/> hours after the untimed hourly <paramref name="history"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hours"/> is negative.</exception>
    public HourlyForecast Forecast(ReadOnlySpan<double> history, int hours)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hours);
        var fit = HourlyModel.Fit(SeriesTransform.Clean(history), hours);
        var points = new ForecastInterval[hours];
        var expected = new double[hours];
        for (var h = 0; h < hours; h++)
        {
            points[h] = fit.Interval(h);
            expected[h] = fit.ExpectedValue(h);
        }

        return new HourlyForecast(DateTimeOffset.MinValue, points, expected, fit.Backtest);
    }

    /// <summary>
    /// Projects spend in <paramref name="period"/> to its end: the spend observed in the period so far plus the
    /// forecast of its remaining hours, in total and per local day of <paramref name="zone"/>.
    /// </summary>
    /// <remarks>
    /// Sums add expected hourly values (<see cref="HourlyForecast.ExpectedHours"/>), so spiky spend is not understated.
    /// The intervals of the day and period totals come from a backtest of the sums themselves: the model is refitted
    /// at up to <see cref="MaxBacktestOrigins"/> origins two days apart, as far before the end of the history as the
    /// period's remaining hours, and the log ratios of actual to forecast sums set the spread (a normal quantile on
    /// their root mean square for the period total, pooled empirical quantiles for days). When the history is too
    /// short for three such origins the bounds are the sums of the hourly bounds (as if hourly errors moved together),
    /// which is conservative. Hours are counted whole: an hour belongs to the period and to the local day in which it
    /// starts (in zones with half-hour offsets an hour straddling local midnight counts for the day it starts in).
    /// </remarks>
    public PeriodForecast ForecastPeriod(HourlySeries series, PeriodWindow period, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(zone);
        return PeriodProjection.Project(series, period, zone);
    }
}
