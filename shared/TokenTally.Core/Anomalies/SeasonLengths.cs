namespace TokenTally.Core.Anomalies;

/// <summary>The daily and weekly season of a series with a regular step, in steps.</summary>
/// <param name="Daily">Steps per day, or 0 when the step does not divide a day into at least two steps.</param>
/// <param name="Weekly">Steps per week, or 0 when <paramref name="Daily"/> is 0.</param>
public readonly record struct SeasonLengths(int Daily, int Weekly)
{
    /// <summary>The seasons of a series with the given step: 24 and 168 for hourly points, 288 and 2,016 for 5 minutes.</summary>
    /// <param name="step">The time between consecutive points; more than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive.</exception>
    public static SeasonLengths For(TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var daily = (int)Math.Round(TimeSpan.FromDays(1) / step);
        return daily >= 2 ? new SeasonLengths(daily, 7 * daily) : new SeasonLengths(0, 0);
    }
}
