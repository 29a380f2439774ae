using TokenTally.Core.Forecasting;

namespace TokenTally.Core.Tests.Forecasting;

public sealed class ForecastedSpendTests
{
    private static readonly DateTimeOffset Origin = new(2026, 12, 10, 12, 0, 0, TimeSpan.Zero);

    // Observed 100 at the origin; 10 hours of 2 USD expected ahead, so 120 at the period's end (80 %: 110 to 140).
    private static readonly ForecastInterval Total = new(120, 110, 140, 105, 160);
    private static readonly double[] Expected = [.. Enumerable.Repeat(2.0, 10)];

    [Fact]
    public void AtTheOriginTheProjectionIsTheForecastWithItsEightyPercentInterval()
    {
        var projection = ForecastedSpend.Project(100m, 100, Total, Expected, Origin, Origin);

        Assert.Equal(("forecast", 120m, 110m, 140m), (projection.Method, projection.SpendUsd, projection.Low, projection.High));
    }

    [Fact]
    public void SpendSinceTheOriginReplacesTheForecastOfTheHoursThatPassedAndTheRestShrinksInProportion()
    {
        // Two and a half hours later 5 USD of the 20 forecast have passed (a quarter); 12 was spent instead of 5.
        var projection = ForecastedSpend.Project(112m, 100, Total, Expected, Origin, Origin.AddHours(2.5));

        Assert.Equal(112m + 15m, projection.SpendUsd);
        Assert.Equal(112m + (10m * 0.75m), projection.Low);
        Assert.Equal(112m + (40m * 0.75m), projection.High);
    }

    [Fact]
    public void OnceEveryForecastHourHasPassedTheProjectionIsTheSpend()
    {
        var projection = ForecastedSpend.Project(131m, 100, Total, Expected, Origin, Origin.AddHours(12));

        Assert.Equal((131m, 131m, 131m), (projection.SpendUsd, projection.Low, projection.High));
    }

    [Fact]
    public void ANowBeforeTheOriginCountsNoHourAsPassed()
    {
        var projection = ForecastedSpend.Project(100m, 100, Total, Expected, Origin, Origin.AddMinutes(-30));

        Assert.Equal(120m, projection.SpendUsd);
    }
}
