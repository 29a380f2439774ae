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

    private const int MinAggregateOrigins = 3;

    /// <summary>Forecasts the <paramref name="hours"/> hours after <paramref name="series"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hours"/> is negative.</exception>
    public HourlyForecast Forecast(HourlySeries series, int hours)
    {
        ArgumentNullException.ThrowIfNull(series);
        var values = series.Values as double[] ?? [.. series.Values];
        return Forecast(values, hours) with { Start = series.End };
    }

    /// <summary>Forecasts the <paramref name="hours"/> hours after the untimed hourly <paramref name="history"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hours"/> is negative.</exception>
    public HourlyForecast Forecast(ReadOnlySpan<double> history, int hours)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hours);
        var fit = Fit(history, hours);
        var points = new ForecastInterval[hours];
        for (var h = 0; h < hours; h++)
        {
            points[h] = fit.Calibration.Interval(fit.ForecastZ[h], h, fit.Transform);
        }

        return new HourlyForecast(DateTimeOffset.MinValue, points, fit.Backtest);
    }

    /// <summary>
    /// Projects spend in <paramref name="period"/> to its end: the spend observed in the period so far plus the
    /// forecast of its remaining hours, in total and per local day of <paramref name="zone"/>.
    /// </summary>
    /// <remarks>
    /// Sums add expected hourly values: the hourly median shifted by the log of the backtest's mean ratio of actual to
    /// forecast, so spiky spend is not understated. The intervals of the day and period totals come from a backtest of
    /// the sums themselves: the model is refitted at
    /// up to <see cref="MaxBacktestOrigins"/> origins two days apart, as far before the end of the history as the period's
    /// remaining hours, and the log ratios of actual to forecast sums set the spread (a normal quantile on their root
    /// mean square for the period total, pooled empirical quantiles for days). When the history is too short for
    /// three such origins the bounds are the sums of the hourly bounds (as if hourly errors moved together), which is
    /// conservative.
    /// </remarks>
    public PeriodForecast ForecastPeriod(HourlySeries series, PeriodWindow period, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(zone);
        var values = series.Values as double[] ?? [.. series.Values];
        var end = series.End;

        var observedByDate = new SortedDictionary<DateOnly, double>();
        var observed = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            var hour = series.Start.AddHours(i);
            if (period.Contains(hour))
            {
                observed += Math.Max(values[i], 0);
                var date = LocalDate(hour, zone);
                observedByDate[date] = observedByDate.GetValueOrDefault(date) + Math.Max(values[i], 0);
            }
        }

        var remaining = Math.Max(0, (int)Math.Ceiling((period.End - end).TotalHours));
        var skip = Math.Clamp((int)Math.Ceiling((period.Start - end).TotalHours), 0, remaining);
        var fit = Fit(values, remaining);
        if (remaining == skip)
        {
            var today = observedByDate.Count > 0 ? observedByDate.Keys.Last() : LocalDate(period.End.AddTicks(-1), zone);
            var days = observedByDate.Where(d => d.Key >= today).Select(d => new DailyForecast(d.Key, d.Value, ForecastInterval.Exact(d.Value))).ToList();
            return new PeriodForecast(period, observed, ForecastInterval.Exact(observed), days, 0, fit.Backtest);
        }

        // Buckets over the forecast hours: one per local day, then the whole remainder of the period.
        var buckets = new List<(int From, int To)>();
        var bucketDates = new List<DateOnly>();
        for (var k = skip; k < remaining; k++)
        {
            var date = LocalDate(end.AddHours(k), zone);
            if (bucketDates.Count == 0 || bucketDates[^1] != date)
            {
                bucketDates.Add(date);
                buckets.Add((k, k + 1));
            }
            else
            {
                buckets[^1] = (buckets[^1].From, k + 1);
            }
        }

        var hourly = new double[remaining];
        for (var k = 0; k < remaining; k++)
        {
            hourly[k] = fit.Transform.Inverse(fit.ForecastZ[k] + fit.MeanShift);
        }

        var mean = values.Length > 0 ? values.Average(v => Math.Max(v, 0)) : 0;
        var aggregate = AggregateBacktest(values, fit.Transform, fit.MeanShift, remaining, buckets, skip, mean);
        var dayIntervals = new ForecastInterval[buckets.Count];
        ForecastInterval total;
        if (aggregate is { } calibrated)
        {
            for (var b = 0; b < buckets.Count; b++)
            {
                dayIntervals[b] = SumInterval(hourly, buckets[b], calibrated.Days, b, mean);
            }

            total = SumInterval(hourly, (skip, remaining), calibrated.Total, 0, mean);
        }
        else
        {
            for (var b = 0; b < buckets.Count; b++)
            {
                dayIntervals[b] = SumOfHourlyBounds(fit, buckets[b]);
            }

            total = SumOfHourlyBounds(fit, (skip, remaining));
        }

        var daysOut = new List<DailyForecast>();
        var firstDate = bucketDates[0];
        if (observedByDate.TryGetValue(firstDate, out var firstObserved))
        {
            daysOut.Add(new DailyForecast(firstDate, firstObserved, dayIntervals[0].Plus(firstObserved)));
        }
        else
        {
            daysOut.Add(new DailyForecast(firstDate, 0, dayIntervals[0]));
        }

        for (var b = 1; b < buckets.Count; b++)
        {
            daysOut.Add(new DailyForecast(bucketDates[b], 0, dayIntervals[b]));
        }

        return new PeriodForecast(period, observed, total.Plus(observed), daysOut, aggregate?.Origins ?? 0, fit.Backtest);
    }

    /// <summary>
    /// The fitted model: the log-space forecast (a median), its transform, calibration and backtest, and the log-space
    /// shift that turns the median into an expected value (<c>ln</c> of the mean of <c>e^error</c> over the backtest):
    /// sums of hourly medians would understate skewed spend.
    /// </summary>
    private sealed record FittedModel(double[] ForecastZ, SeriesTransform Transform, IntervalCalibration Calibration, BacktestAccuracy Backtest, double MeanShift);

    private static FittedModel Fit(ReadOnlySpan<double> history, int hours)
    {
        var window = history[Math.Max(0, history.Length - MaxFitHours)..];
        var transform = SeriesTransform.For(window);
        var z = transform.Forward(window);
        if (z.Length < MinimumHistory || IsConstant(z))
        {
            var constant = IsConstant(z);
            var spread = constant ? 0 : SpreadAroundMean(z);
            var shift = constant || z.Length == 0 ? 0 : Math.Log(z.Average(Math.Exp)) - z.Average();
            return new FittedModel(ForecastZ(z, hours), transform, IntervalCalibration.Constant(spread), BacktestAccuracy.None, shift);
        }

        var (forecastZ, backtest) = EnsembleForecaster.ForecastWithBacktest(z, hours, MaxBacktestOrigins, Math.Max(MinimumHistory, z.Length / 2));
        var (calibration, accuracy, meanShift) = Calibrate(window, z, transform, backtest);
        return new FittedModel(forecastZ, transform, calibration, accuracy, meanShift);
    }

    /// <summary>The log-space point forecast of <paramref name="z"/>.</summary>
    private static double[] ForecastZ(double[] z, int hours)
    {
        var result = new double[hours];
        if (z.Length == 0)
        {
            Array.Fill(result, double.NegativeInfinity);
            return result;
        }

        if (z.Length < MinimumHistory || IsConstant(z))
        {
            Array.Fill(result, IsConstant(z) ? z[0] : z.Average());
            return result;
        }

        return EnsembleForecaster.Forecast(z, hours);
    }

    private static (IntervalCalibration Calibration, BacktestAccuracy Accuracy, double MeanShift) Calibrate(
        ReadOnlySpan<double> window, double[] z, SeriesTransform transform, List<(int Origin, double[] Forecast)> backtest)
    {
        if (backtest.Count == 0)
        {
            var spread = SpreadAroundMean(z);
            return (IntervalCalibration.Constant(spread), BacktestAccuracy.None, spread * spread / 2);
        }

        const int Horizon = EnsembleForecaster.Step;
        var errors = new List<double[]>();
        double maseSum = 0, smapeSum = 0;
        var maseCount = 0;
        foreach (var (origin, forecast) in backtest)
        {
            var error = new double[Horizon];
            var raw = new double[Horizon];
            for (var h = 0; h < Horizon; h++)
            {
                error[h] = z[origin + h] - forecast[h];
                raw[h] = transform.Inverse(forecast[h]);
            }

            errors.Add(error);
            var actual = window.Slice(origin, Horizon);
            smapeSum += ForecastAccuracy.SymmetricMape(actual, raw);
            var mase = ForecastAccuracy.Mase(actual, raw, window[..origin], SeasonalMethod.Day);
            if (!double.IsNaN(mase))
            {
                maseSum += mase;
                maseCount++;
            }
        }

        double? coverage80 = null, coverage95 = null;
        if (backtest.Count >= 2)
        {
            int inside80 = 0, inside95 = 0, total = 0;
            for (var j = 0; j < backtest.Count; j++)
            {
                var heldOut = IntervalCalibration.FromErrors(errors, skip: j);
                for (var h = 0; h < Horizon; h++)
                {
                    var interval = heldOut.Interval(backtest[j].Forecast[h], h, transform);
                    var actual = Math.Max(window[backtest[j].Origin + h], 0);
                    inside80 += actual >= interval.Lower80 && actual <= interval.Upper80 ? 1 : 0;
                    inside95 += actual >= interval.Lower95 && actual <= interval.Upper95 ? 1 : 0;
                    total++;
                }
            }

            coverage80 = (double)inside80 / total;
            coverage95 = (double)inside95 / total;
        }

        var accuracy = new BacktestAccuracy(
            backtest.Count,
            Horizon,
            maseCount > 0 ? maseSum / maseCount : null,
            smapeSum / backtest.Count,
            coverage80,
            coverage95);
        // Errors are capped at ±2 (a factor of 7) and the shift at ±0.5 so one wild hour cannot dominate the mean.
        var meanRatio = errors.SelectMany(e => e).Average(e => Math.Exp(Math.Clamp(e, -2, 2)));
        return (IntervalCalibration.FromErrors(errors), accuracy, Math.Clamp(Math.Log(meanRatio), -0.5, 0.5));
    }

    private sealed record AggregateCalibration(IntervalCalibration Days, IntervalCalibration Total, int Origins);

    private static AggregateCalibration? AggregateBacktest(double[] values, SeriesTransform transform, double meanShift, int remaining, List<(int From, int To)> buckets, int skip, double mean)
    {
        var window = values.AsSpan(Math.Max(0, values.Length - MaxFitHours - remaining));
        var n = window.Length;
        var z = transform.Forward(window);
        var dayErrors = new List<double[]>();
        var totalErrors = new List<double>();
        var origins = EnsembleForecaster.ForecastFromOrigins(z[..(n - Math.Min(n, remaining))], remaining, MaxBacktestOrigins, Math.Max(MinimumHistory, 2 * SeasonalMethod.Week));
        foreach (var (origin, forecastZ) in origins)
        {
            var forecast = forecastZ.Select(f => transform.Inverse(f + meanShift)).ToArray();
            var actual = window.Slice(origin, remaining);
            var errors = new double[buckets.Count];
            for (var b = 0; b < buckets.Count; b++)
            {
                errors[b] = LogRatio(actual, forecast, buckets[b], mean);
            }

            dayErrors.Add(errors);
            totalErrors.Add(LogRatio(actual, forecast, (skip, remaining), mean));
        }

        if (totalErrors.Count < MinAggregateOrigins)
        {
            return null;
        }

        var rms = Math.Sqrt(totalErrors.Average(e => e * e));
        return new AggregateCalibration(IntervalCalibration.FromErrors(dayErrors), IntervalCalibration.Constant(rms, totalErrors.Count), totalErrors.Count);
    }

    private static double LogRatio(ReadOnlySpan<double> actual, double[] forecast, (int From, int To) bucket, double mean)
    {
        double a = 0, f = 0;
        for (var k = bucket.From; k < bucket.To; k++)
        {
            a += Math.Max(actual[k], 0);
            f += forecast[k];
        }

        var offset = SumOffset(bucket, mean);
        return Math.Log((a + offset) / (f + offset));
    }

    // Keeps the log ratio of sums finite for buckets with no spend; small against a typical sum.
    private static double SumOffset((int From, int To) bucket, double mean) => Math.Max(0.01 * mean * (bucket.To - bucket.From), 1e-9);

    private static ForecastInterval SumInterval(double[] hourly, (int From, int To) bucket, IntervalCalibration calibration, int step, double mean)
    {
        var sum = 0.0;
        for (var k = bucket.From; k < bucket.To; k++)
        {
            sum += hourly[k];
        }

        var transform = new SeriesTransform(SumOffset(bucket, mean));
        return calibration.Interval(transform.Forward(sum), step, transform) with { Value = sum };
    }

    private static ForecastInterval SumOfHourlyBounds(FittedModel fit, (int From, int To) bucket)
    {
        double value = 0, l80 = 0, u80 = 0, l95 = 0, u95 = 0;
        for (var k = bucket.From; k < bucket.To; k++)
        {
            var interval = fit.Calibration.Interval(fit.ForecastZ[k], k, fit.Transform);
            value += fit.Transform.Inverse(fit.ForecastZ[k] + fit.MeanShift);
            l80 += interval.Lower80;
            u80 += interval.Upper80;
            l95 += interval.Lower95;
            u95 += interval.Upper95;
        }

        return new ForecastInterval(value, Math.Min(l80, value), Math.Max(u80, value), Math.Min(l95, value), Math.Max(u95, value));
    }

    private static double SpreadAroundMean(ReadOnlySpan<double> z)
    {
        if (z.Length < 2)
        {
            return 0;
        }

        double mean = 0;
        foreach (var v in z)
        {
            mean += v;
        }

        mean /= z.Length;
        double sum = 0;
        foreach (var v in z)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / (z.Length - 1));
    }

    private static bool IsConstant(double[] z)
    {
        foreach (var v in z)
        {
            if (v != z[0])
            {
                return false;
            }
        }

        return true;
    }

    private static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
