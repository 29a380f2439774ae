using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Budgets;
using TokenTally.Core.Forecasting;

namespace TokenTally.Core.Tests.Forecasting;

/// <summary>Whatever the history (empty, short, sparse, spiky, constant runs), forecasts are finite, non-negative and ordered.</summary>
public sealed class HourlyForecasterPropertyTests
{
    private static readonly HourlyForecaster Forecaster = new();

    // Hourly spend: mostly zero, small or a daily cycle, with occasional large spikes and runs of one value.
    private static readonly Gen<double[]> Histories =
        from length in Gen.OneOf(Gen.Choose(0, 10), Gen.Choose(11, 100), Gen.Choose(101, 900))
        from kind in Gen.Choose(0, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        select History(length, kind, seed);

    [Fact]
    public void HourlyForecastsAreFiniteNonNegativeAndOrdered()
    {
        var property = Prop.ForAll(Histories.ToArbitrary(), Gen.Choose(0, 72).ToArbitrary(), (history, hours) =>
        {
            var forecast = Forecaster.Forecast(history, hours);
            var backtest = forecast.Backtest;
            return forecast.Hours.Count == hours
                && forecast.Hours.All(Ordered)
                && forecast.ExpectedHours.All(v => double.IsFinite(v) && v >= 0)
                && (backtest.Coverage80 ?? 0) is >= 0 and <= 1
                && (backtest.Coverage95 ?? 0) is >= 0 and <= 1;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), property);
    }

    [Fact]
    public void PeriodProjectionsAreOrderedAndNeverBelowTheObservedSpend()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var period = BudgetPeriod.Recurring(BudgetPeriodKind.Month, zone);
        var property = Prop.ForAll(Histories.ToArbitrary(), Gen.Choose(0, 60 * 24).ToArbitrary(), (history, offsetHours) =>
        {
            var end = new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero).AddHours(offsetHours);
            var window = period.Containing(end)!;
            var projection = Forecaster.ForecastPeriod(new HourlySeries(end.AddHours(-history.Length), history), window, zone);
            return Ordered(projection.Total)
                && projection.Total.Lower95 >= projection.Observed - 1e-9
                && projection.Days.All(d => Ordered(d.Total) && d.Total.Lower95 >= d.Observed - 1e-9)
                && projection.Days.Count >= 1;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    private static bool Ordered(ForecastInterval i) =>
        double.IsFinite(i.Upper95) && 0 <= i.Lower95 && i.Lower95 <= i.Lower80 && i.Lower80 <= i.Value && i.Value <= i.Upper80 && i.Upper80 <= i.Upper95;

    private static double[] History(int length, int kind, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (var t = 0; t < length; t++)
        {
            values[t] = kind switch
            {
                0 => random.NextDouble() < 0.7 ? 0 : random.NextDouble() * 3,
                1 => SyntheticHourly.Expected(t) * Math.Exp(0.3 * (random.NextDouble() - 0.5)) * (random.NextDouble() < 0.01 ? 20 : 1),
                2 => t / 50 % 2 == 0 ? 4.2 : 0,
                _ => 1e-6 * random.NextDouble(),
            };
        }

        return values;
    }
}
