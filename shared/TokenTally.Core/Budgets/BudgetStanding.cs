namespace TokenTally.Core.Budgets;

/// <summary>Where a budget stands against its amount.</summary>
public enum BudgetState
{
    /// <summary>Under every threshold.</summary>
    Ok,

    /// <summary>Over a threshold below 100 %, still under the amount.</summary>
    Warning,

    /// <summary>At or over the amount: no budget left.</summary>
    Exceeded,
}

/// <summary>A projection of a period's spend at its end, with its method and, when the method gives one, an interval.</summary>
/// <param name="SpendUsd">The projected spend by the period's end.</param>
/// <param name="Method"><c>run-rate</c> (spend so far over the time elapsed, carried to the end) or <c>forecast</c>.</param>
/// <param name="Low">The lower end of the interval, if any.</param>
/// <param name="High">The upper end of the interval, if any.</param>
public sealed record SpendProjection(decimal SpendUsd, string Method, decimal? Low = null, decimal? High = null)
{
    /// <summary>
    /// The spend of the period carried at its average rate so far to its end: a floor of what can be known before any history
    /// exists. Nothing is projected in the period's first hour, where the rate says nothing yet: the spend itself.
    /// </summary>
    public static SpendProjection RunRate(decimal spentUsd, PeriodWindow period, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(period);
        var elapsed = (now < period.End ? now : period.End) - period.Start;
        if (elapsed < TimeSpan.FromHours(1))
        {
            return new SpendProjection(spentUsd, "run-rate");
        }

        var projected = spentUsd * (decimal)(period.Length.TotalSeconds / elapsed.TotalSeconds);
        return new SpendProjection(Math.Round(projected, 4, MidpointRounding.AwayFromZero), "run-rate");
    }
}

/// <summary>
/// A budget's standing in one period, as an app checks it before spending: what was spent, what is left, which thresholds
/// are crossed and what the period's end is projected to bring.
/// </summary>
/// <param name="Period">The period now under way.</param>
/// <param name="SpentUsd">Spend so far in the period.</param>
/// <param name="RemainingUsd">The amount less the spend; 0 when exceeded (never negative).</param>
/// <param name="PercentUsed">The spend as a percentage of the amount.</param>
/// <param name="State">Ok, warning or exceeded.</param>
/// <param name="CrossedThresholds">The budget's thresholds the spend has reached, ascending.</param>
/// <param name="Projection">The projected spend at the period's end.</param>
/// <param name="ProjectedToExceed">Whether the projection reaches the amount.</param>
public sealed record BudgetStanding(
    PeriodWindow Period,
    decimal SpentUsd,
    decimal RemainingUsd,
    decimal PercentUsed,
    BudgetState State,
    IReadOnlyList<decimal> CrossedThresholds,
    SpendProjection Projection,
    bool ProjectedToExceed)
{
    /// <summary>The standing of <paramref name="budget"/> with <paramref name="spentUsd"/> spent in <paramref name="period"/>.</summary>
    public static BudgetStanding Of(Budget budget, PeriodWindow period, decimal spentUsd, SpendProjection projection)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(projection);
        var percent = Math.Round(spentUsd / budget.AmountUsd * 100m, 4, MidpointRounding.AwayFromZero);
        var crossed = budget.Thresholds.Where(t => percent >= t).ToList();
        var state = spentUsd >= budget.AmountUsd ? BudgetState.Exceeded : crossed.Count > 0 ? BudgetState.Warning : BudgetState.Ok;
        return new BudgetStanding(period, spentUsd, Math.Max(0m, budget.AmountUsd - spentUsd), percent, state, crossed, projection, projection.SpendUsd >= budget.AmountUsd);
    }
}
