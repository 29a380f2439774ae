using TokenTally.Core.Forecasting;

namespace TokenTally.Core.Tests.Forecasting;

public sealed class HourlyForecasterTests
{
    private static readonly HourlyForecaster Forecaster = new();

    [Fact]
    public void ASeriesWithDailyAndWeeklyStructureIsForecastWithinAFewPercentOverTheWeekend()
    {
        // Eight weeks ending Friday midnight: the next 48 hours are the quiet weekend, which only the weekly season knows.
        const int History = 8 * 168 - 48;
        var (history, _) = SyntheticHourly.Split(History, 48, noise: 0.03, seed: 1);
        var truth = Enumerable.Range(History, 48).Select(t => SyntheticHourly.Expected(t)).ToArray();

        var forecast = Forecaster.Forecast(history, 48).Hours.Select(h => h.Value).ToArray();
        var dailyNaive = Enumerable.Range(0, 48).Select(h => history[History - 24 + (h % 24)]).ToArray();

        Assert.True(ForecastAccuracy.SymmetricMape(truth, forecast) < 4, $"sMAPE {ForecastAccuracy.SymmetricMape(truth, forecast):F2} %");
        Assert.True(ForecastAccuracy.SymmetricMape(truth, dailyNaive) > 60, "the daily naive forecast misses the weekend");
    }

    [Fact]
    public void IntervalsCoverAboutTheirNominalShareOfHoursOnSyntheticNoise()
    {
        int inside80 = 0, inside95 = 0, total = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var (history, future) = SyntheticHourly.Split(600 + 7 * seed, 48, noise: 0.15, seed: seed);
            var forecast = Forecaster.Forecast(history, 48);
            for (var h = 0; h < 48; h++)
            {
                var interval = forecast.Hours[h];
                inside80 += future[h] >= interval.Lower80 && future[h] <= interval.Upper80 ? 1 : 0;
                inside95 += future[h] >= interval.Lower95 && future[h] <= interval.Upper95 ? 1 : 0;
                total++;
            }
        }

        Assert.InRange((double)inside80 / total, 0.74, 0.88);
        Assert.InRange((double)inside95 / total, 0.91, 0.99);
    }

    [Fact]
    public void IntervalsAreOrderedAroundThePointForecastAndWidenWithNoise()
    {
        var (quiet, _) = SyntheticHourly.Split(1000, 0, noise: 0.02, seed: 3);
        var (noisy, _) = SyntheticHourly.Split(1000, 0, noise: 0.3, seed: 3);

        var quietForecast = Forecaster.Forecast(quiet, 48);
        var noisyForecast = Forecaster.Forecast(noisy, 48);

        foreach (var h in quietForecast.Hours.Concat(noisyForecast.Hours))
        {
            Assert.True(0 <= h.Lower95 && h.Lower95 <= h.Lower80 && h.Lower80 <= h.Value && h.Value <= h.Upper80 && h.Upper80 <= h.Upper95, h.ToString());
        }

        static double MeanRelativeWidth(HourlyForecast f) => f.Hours.Average(h => (h.Upper95 - h.Lower95) / h.Value);
        Assert.True(MeanRelativeWidth(noisyForecast) > 5 * MeanRelativeWidth(quietForecast));
    }

    [Fact]
    public void TheBacktestReportsAccuracyAndOutOfSampleCoverage()
    {
        var (history, _) = SyntheticHourly.Split(90 * 24, 0, noise: 0.1, seed: 4);

        var backtest = Forecaster.Forecast(history, 48).Backtest;

        Assert.Equal(HourlyForecaster.MaxBacktestOrigins, backtest.Origins);
        Assert.Equal(48, backtest.Horizon);
        Assert.InRange(backtest.Mase!.Value, 0.05, 1.0);
        Assert.InRange(backtest.SymmetricMape!.Value, 2, 20);
        Assert.InRange(backtest.Coverage80!.Value, 0.65, 0.95);
        Assert.InRange(backtest.Coverage95!.Value, 0.85, 1.0);
    }

    [Fact]
    public void AnEmptyHistoryIsForecastAsZeroSpend()
    {
        var forecast = Forecaster.Forecast([], 48);

        Assert.Equal(48, forecast.Hours.Count);
        Assert.All(forecast.Hours, h => Assert.Equal(ForecastInterval.Exact(0), h));
        Assert.Equal(BacktestAccuracy.None, forecast.Backtest);
    }

    [Fact]
    public void FewerThanSixPointsAreForecastAsTheirGeometricMeanWithAnIntervalFromTheirSpread()
    {
        var forecast = Forecaster.Forecast([2, 4, 8], 5);

        Assert.All(forecast.Hours, h => Assert.Equal(4, h.Value, 9));
        Assert.All(forecast.Hours, h => Assert.True(h.Lower95 < 2 && h.Upper95 > 8 && h.Lower80 > h.Lower95));
    }

    [Fact]
    public void UnderTwoDaysNoDailySeasonIsAssumed()
    {
        var (history, _) = SyntheticHourly.Split(30, 0, noise: 0.05, seed: 5);

        var values = Forecaster.Forecast(history, 24).Hours.Select(h => h.Value).ToList();

        Assert.All(values, v => Assert.Equal(values[0], v, 9));
        Assert.InRange(values[0], history.Min(), history.Max());
    }

    [Fact]
    public void UnderTwoWeeksTheDailySeasonIsForecastButNotTheWeeklyOne()
    {
        // Five weekdays with no noise: the daily cycle is known exactly, the weekend is not yet seen.
        var history = Enumerable.Range(0, 5 * 24).Select(t => SyntheticHourly.Expected(t)).ToArray();
        var nextMonday = Enumerable.Range(7 * 24, 24).Select(t => SyntheticHourly.Expected(t)).ToArray();

        var forecast = Forecaster.Forecast(history, 72).Hours.Select(h => h.Value).ToArray();

        Assert.True(ForecastAccuracy.SymmetricMape(nextMonday, forecast[48..72]) < 2);
        Assert.True(ForecastAccuracy.SymmetricMape(history[..24], forecast[..24]) < 2, "Saturday is forecast as a weekday");
    }

    [Fact]
    public void AConstantHistoryIsForecastAsThatConstantWithZeroWidthIntervals()
    {
        var forecast = Forecaster.Forecast(Enumerable.Repeat(12.5, 500).ToArray(), 48);

        Assert.All(forecast.Hours, h =>
        {
            Assert.Equal(12.5, h.Value, 9);
            Assert.Equal(ForecastInterval.Exact(h.Value), h);
        });
    }

    [Fact]
    public void AllZeroSpendIsForecastAsZero()
    {
        var forecast = Forecaster.Forecast(new double[400], 48);

        Assert.All(forecast.Hours, h => Assert.Equal(ForecastInterval.Exact(0), h));
    }

    [Fact]
    public void SparseSpendWithZeroHoursGivesFiniteNonNegativeForecasts()
    {
        var random = new Random(6);
        var history = SyntheticHourly.Series(0, 1000, 0.2, seed: 6).Select(v => random.NextDouble() < 0.5 ? 0 : v).ToArray();

        var forecast = Forecaster.Forecast(history, 48);

        Assert.All(forecast.Hours, h =>
        {
            Assert.True(double.IsFinite(h.Value) && double.IsFinite(h.Upper95));
            Assert.True(h.Lower95 >= 0 && h.Value >= 0);
        });
        Assert.InRange(forecast.Hours.Sum(h => h.Value), 0.2 * history[^48..].Sum(), 3 * history[^48..].Sum());
    }

    [Fact]
    public void NegativeHoursAreReadAsZeroAndNeverForecast()
    {
        var history = SyntheticHourly.Series(0, 400, 0.1, seed: 7).Select((v, i) => i % 50 == 0 ? -v : v).ToArray();

        Assert.All(Forecaster.Forecast(history, 48).Hours, h => Assert.True(h.Lower95 >= 0));
    }

    [Fact]
    public void NonFiniteHoursAreReadAsZero()
    {
        var history = SyntheticHourly.Series(0, 400, 0.1, seed: 9);
        var withGaps = history.Select((v, i) => i == 100 ? double.NaN : i == 200 ? double.PositiveInfinity : v).ToArray();
        var withZeros = history.Select((v, i) => i is 100 or 200 ? 0 : v).ToArray();

        Assert.Equal(Forecaster.Forecast(withZeros, 48), Forecaster.Forecast(withGaps, 48), ForecastsEqual);
    }

    [Fact]
    public void ATimedSeriesIsForecastFromItsEnd()
    {
        var start = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var series = new HourlySeries(start, SyntheticHourly.Series(0, 500, 0.1, seed: 8));

        var forecast = Forecaster.Forecast(series, 48);

        Assert.Equal(start.AddHours(500), forecast.Start);
        Assert.Equal(Forecaster.Forecast([.. series.Values], 48) with { Start = forecast.Start }, forecast, ForecastsEqual);
    }

    private static bool ForecastsEqual(HourlyForecast a, HourlyForecast b) =>
        a.Start == b.Start && a.Hours.SequenceEqual(b.Hours) && a.ExpectedHours.SequenceEqual(b.ExpectedHours) && a.Backtest == b.Backtest;
}
