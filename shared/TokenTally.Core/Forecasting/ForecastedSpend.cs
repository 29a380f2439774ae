using TokenTally.Core.Budgets;

namespace TokenTally.Core.Forecasting;

/// <summary>
/// A stored period projection brought up to now: the spend observed since the forecast was made replaces the forecast of
/// the hours that have passed, and what is left of the forecast is scaled down in proportion.
/// </summary>
public static class ForecastedSpend
{
    /// <summary>
    /// The period-end spend projected from a forecast made at <paramref name="origin"/> (the first hour it forecast), when
    /// <paramref name="spentUsd"/> has been spent in the period by <paramref name="now"/>: the spend plus the forecast of the
    /// hours still to come, with the 80 % interval as the low and high ends.
    /// </summary>
    /// <param name="spentUsd">Spend in the period up to now.</param>
    /// <param name="observedUsd">Spend in the period up to the forecast's origin, as the forecast saw it.</param>
    /// <param name="total">The forecast's period-end total (observed plus forecast), with intervals.</param>
    /// <param name="expectedHours">The expected spend of each hour from <paramref name="origin"/> on.</param>
    /// <param name="origin">The start of the first forecast hour.</param>
    /// <param name="now">The time of the answer; a partly elapsed hour counts in proportion.</param>
    public static SpendProjection Project(decimal spentUsd, double observedUsd, ForecastInterval total, IReadOnlyList<double> expectedHours, DateTimeOffset origin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(total);
        ArgumentNullException.ThrowIfNull(expectedHours);
        var ahead = Math.Max(0, total.Value - observedUsd);
        var elapsed = Math.Max(0, (now - origin).TotalHours);
        var passed = 0.0;
        for (var h = 0; h < expectedHours.Count && h < elapsed; h++)
        {
            passed += expectedHours[h] * Math.Min(1, elapsed - h);
        }

        // The share of the forecast spend still ahead; the interval around it shrinks with it.
        var left = ahead > 0 ? Math.Max(0, ahead - passed) / ahead : 0;
        decimal Ahead(double bound) => Math.Round(spentUsd + (decimal)(Math.Max(0, bound - observedUsd) * left), 4, MidpointRounding.AwayFromZero);
        return new SpendProjection(Ahead(total.Value), "forecast", Ahead(total.Lower80), Ahead(total.Upper80));
    }
}
