using TokenTally.Core.Budgets;
using TokenTally.Core.Forecasting;

namespace TokenTally.Core.Tests.Forecasting;

public sealed class PeriodForecastTests
{
    private static readonly HourlyForecaster Forecaster = new();
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // December 2026 in Berlin: 2026-11-30T23:00Z to 2026-12-31T23:00Z.
    private static readonly PeriodWindow December = new(new(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), new(2026, 12, 31, 23, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TheDaysOfTheRestOfThePeriodSumToItsProjectedTotal()
    {
        // 60 days of history ending 2026-12-10T10:00Z (11:00 in Berlin).
        var end = new DateTimeOffset(2026, 12, 10, 10, 0, 0, TimeSpan.Zero);
        var series = new HourlySeries(end.AddHours(-60 * 24), SyntheticHourly.Series(0, 60 * 24, 0.1, seed: 1));

        var projection = Forecaster.ForecastPeriod(series, December, Berlin);

        var observedInPeriod = series.Values.Where((_, i) => December.Contains(series.Start.AddHours(i))).Sum();
        Assert.Equal(observedInPeriod, projection.Observed, 9);
        Assert.Equal(Enumerable.Range(10, 22).Select(d => new DateOnly(2026, 12, d)), projection.Days.Select(d => d.Date));
        var observedToday = series.Values.Where((_, i) => series.Start.AddHours(i) >= new DateTimeOffset(2026, 12, 9, 23, 0, 0, TimeSpan.Zero)).Sum();
        Assert.Equal(observedToday, projection.Days[0].Observed, 9);
        var observedBeforeToday = observedInPeriod - observedToday;
        Assert.Equal(projection.Total.Value, observedBeforeToday + projection.Days.Sum(d => d.Total.Value), 6);

        var hourly = Forecaster.Forecast(series, (int)(December.End - end).TotalHours);
        Assert.Equal(observedInPeriod + hourly.ExpectedHours.Sum(), projection.Total.Value, 6);

        // Expected values sit a little above the hourly medians under log-normal noise of 0.1.
        Assert.InRange(hourly.ExpectedHours.Sum() / hourly.Hours.Sum(h => h.Value), 1.0, 1.02);
    }

    [Fact]
    public void DayAndPeriodIntervalsAreOrderedAndIncludeTheObservedSpend()
    {
        var end = new DateTimeOffset(2026, 12, 10, 10, 0, 0, TimeSpan.Zero);
        var series = new HourlySeries(end.AddHours(-90 * 24), SyntheticHourly.Series(0, 90 * 24, 0.2, seed: 2));

        var projection = Forecaster.ForecastPeriod(series, December, Berlin);

        foreach (var t in projection.Days.Select(d => d.Total).Append(projection.Total))
        {
            Assert.True(t.Lower95 <= t.Lower80 && t.Lower80 <= t.Value && t.Value <= t.Upper80 && t.Upper80 <= t.Upper95, t.ToString());
        }

        Assert.True(projection.Total.Lower95 >= projection.Observed);
        Assert.True(projection.AggregateOrigins >= 3, "90 days are enough to backtest the month's remaining sum");
        Assert.Equal(HourlyForecaster.MaxBacktestOrigins, projection.Backtest.Origins);
    }

    [Fact]
    public void ShortHistoriesFallBackToSummingTheHourlyBounds()
    {
        var end = new DateTimeOffset(2026, 12, 10, 10, 0, 0, TimeSpan.Zero);
        var series = new HourlySeries(end.AddHours(-21 * 24), SyntheticHourly.Series(0, 21 * 24, 0.1, seed: 3));

        var projection = Forecaster.ForecastPeriod(series, December, Berlin);
        var hourly = Forecaster.Forecast(series, (int)(December.End - end).TotalHours);

        Assert.Equal(0, projection.AggregateOrigins);
        Assert.Equal(projection.Observed + hourly.Hours.Sum(h => h.Upper95), projection.Total.Upper95, 6);
        Assert.Equal(projection.Observed + hourly.Hours.Sum(h => h.Lower80), projection.Total.Lower80, 6);
    }

    [Fact]
    public void WeeklyTotalsAreCoveredAboutAsOftenAsNominal()
    {
        int inside80 = 0, inside95 = 0;
        const int Series = 30;
        var end = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var week = new PeriodWindow(end, end.AddDays(7));
        for (var seed = 0; seed < Series; seed++)
        {
            var values = SyntheticHourly.Series(0, 70 * 24 + 168, 0.25, seed: 100 + seed);
            var series = new HourlySeries(end.AddHours(-70 * 24), values[..(70 * 24)]);
            var actual = values[(70 * 24)..].Sum();

            var total = Forecaster.ForecastPeriod(series, week, TimeZoneInfo.Utc).Total;

            inside80 += actual >= total.Lower80 && actual <= total.Upper80 ? 1 : 0;
            inside95 += actual >= total.Lower95 && actual <= total.Upper95 ? 1 : 0;
        }

        Assert.InRange((double)inside80 / Series, 0.6, 1.0);
        Assert.InRange((double)inside95 / Series, 0.8, 1.0);
    }

    [Fact]
    public void PeriodTotalsOfSkewedSpendAreExpectedValuesNotSumsOfMedians()
    {
        // Log-normal noise of 0.8: the mean hour is e^0.32 ≈ 1.38 times the median one.
        var ratios = new List<double>();
        var end = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var week = new PeriodWindow(end, end.AddDays(7));
        for (var seed = 0; seed < 20; seed++)
        {
            var values = SyntheticHourly.Series(0, 60 * 24 + 168, 0.8, seed: 200 + seed);
            var series = new HourlySeries(end.AddHours(-60 * 24), values[..(60 * 24)]);

            ratios.Add(values[(60 * 24)..].Sum() / Forecaster.ForecastPeriod(series, week, TimeZoneInfo.Utc).Total.Value);
        }

        Assert.InRange(ratios.Average(), 0.9, 1.1);
    }

    [Fact]
    public void ATenantWithNoHistoryProjectsZeroSpend()
    {
        var series = new HourlySeries(new DateTimeOffset(2026, 12, 10, 10, 0, 0, TimeSpan.Zero), []);

        var projection = Forecaster.ForecastPeriod(series, December, Berlin);

        Assert.Equal(ForecastInterval.Exact(0), projection.Total);
        Assert.Equal(22, projection.Days.Count);
        Assert.Equal(BacktestAccuracy.None, projection.Backtest);
    }

    [Fact]
    public void AFinishedPeriodIsItsObservedSpendExactly()
    {
        var series = new HourlySeries(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), Enumerable.Repeat(2.0, 50 * 24).ToArray());

        var projection = Forecaster.ForecastPeriod(series, December, Berlin);

        Assert.Equal(ForecastInterval.Exact(2.0 * 31 * 24), projection.Total);
    }

    [Fact]
    public void APeriodThatStartsAfterTheHistoryCountsOnlyItsOwnHours()
    {
        var end = new DateTimeOffset(2026, 11, 28, 23, 0, 0, TimeSpan.Zero);
        var series = new HourlySeries(end.AddHours(-30 * 24), Enumerable.Repeat(1.0, 30 * 24).ToArray());

        var projection = Forecaster.ForecastPeriod(series, December, Berlin);

        Assert.Equal(0, projection.Observed);
        Assert.Equal(31 * 24, projection.Total.Value, 6);
        Assert.Equal(31, projection.Days.Count);
        Assert.Equal(new DateOnly(2026, 12, 1), projection.Days[0].Date);
    }
}
