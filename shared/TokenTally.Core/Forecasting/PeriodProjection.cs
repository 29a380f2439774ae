using TokenTally.Core.Budgets;

namespace TokenTally.Core.Forecasting;

/// <summary>
/// A period's spend projected to its end: observed spend plus the expected spend of the remaining hours, per local day
/// and in total, with intervals from a backtest of the sums (see <see cref="HourlyForecaster.ForecastPeriod"/>).
/// </summary>
internal static class PeriodProjection
{
    private const int MinAggregateOrigins = 3;

    /// <summary>Projects <paramref name="period"/>'s spend to its end (see <see cref="HourlyForecaster.ForecastPeriod"/>).</summary>
    public static PeriodForecast Project(HourlySeries series, PeriodWindow period, TimeZoneInfo zone)
    {
        var values = SeriesTransform.Clean([.. series.Values]);
        var end = series.End;

        var observedByDate = new SortedDictionary<DateOnly, double>();
        var observed = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            var hour = series.Start.AddHours(i);
            if (period.Contains(hour))
            {
                observed += values[i];
                var date = LocalDate(hour, zone);
                observedByDate[date] = observedByDate.GetValueOrDefault(date) + values[i];
            }
        }

        var remaining = Math.Max(0, (int)Math.Ceiling((period.End - end).TotalHours));
        var skip = Math.Clamp((int)Math.Ceiling((period.Start - end).TotalHours), 0, remaining);
        var fit = HourlyModel.Fit(values, remaining);
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
            hourly[k] = fit.ExpectedValue(k);
        }

        var mean = values.Length > 0 ? values.Average() : 0;
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

    private sealed record AggregateCalibration(IntervalCalibration Days, IntervalCalibration Total, int Origins);

    private static AggregateCalibration? AggregateBacktest(double[] values, SeriesTransform transform, double meanShift, int remaining, List<(int From, int To)> buckets, int skip, double mean)
    {
        var window = values.AsSpan(Math.Max(0, values.Length - HourlyForecaster.MaxFitHours - remaining));
        var n = window.Length;
        var z = transform.Forward(window);
        var dayErrors = new List<double[]>();
        var totalErrors = new List<double>();
        var origins = EnsembleForecaster.ForecastFromOrigins(z[..(n - Math.Min(n, remaining))], remaining, HourlyForecaster.MaxBacktestOrigins, Math.Max(HourlyForecaster.MinimumHistory, 2 * SeasonalMethod.Week));
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

    private static ForecastInterval SumOfHourlyBounds(HourlyModel fit, (int From, int To) bucket)
    {
        double value = 0, l80 = 0, u80 = 0, l95 = 0, u95 = 0;
        for (var k = bucket.From; k < bucket.To; k++)
        {
            var interval = fit.Interval(k);
            value += fit.ExpectedValue(k);
            l80 += interval.Lower80;
            u80 += interval.Upper80;
            l95 += interval.Lower95;
            u95 += interval.Upper95;
        }

        return new ForecastInterval(value, Math.Min(l80, value), Math.Max(u80, value), Math.Min(l95, value), Math.Max(u95, value));
    }

    private static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
