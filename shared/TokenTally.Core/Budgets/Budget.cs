namespace TokenTally.Core.Budgets;

/// <summary>
/// A budget as validated: what it counts (<see cref="Scope"/>), when (<see cref="Period"/>), how much may be spent, at
/// which percentages of it to alert, whether to alert on a projection, and where alerts go.
/// </summary>
/// <param name="Name">What people call it (1-100 characters).</param>
/// <param name="Scope">The tenant, or a filter on some dimensions.</param>
/// <param name="Period">The recurring period or fixed range, in an IANA time zone.</param>
/// <param name="AmountUsd">The spend allowed per period, in USD; more than 0.</param>
/// <param name="Thresholds">Percentages of <paramref name="AmountUsd"/> that raise an alert when crossed, strictly ascending (default 50, 80, 100).</param>
/// <param name="AlertOnForecast">Whether to alert when spend is projected to exceed the amount by the period's end.</param>
/// <param name="Channels">The ids of the tenant's channels alerts go to, without repeats; may be empty.</param>
public sealed record Budget(
    string Name,
    BudgetScope Scope,
    BudgetPeriod Period,
    decimal AmountUsd,
    IReadOnlyList<decimal> Thresholds,
    bool AlertOnForecast,
    IReadOnlyList<string> Channels)
{
    /// <summary>The thresholds a budget gets when none are given: 50, 80 and 100 % of the amount.</summary>
    public static IReadOnlyList<decimal> DefaultThresholds { get; } = [50m, 80m, 100m];
}
