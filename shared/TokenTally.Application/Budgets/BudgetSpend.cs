using TokenTally.Application.Costs;
using TokenTally.Core.Budgets;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Budgets;

/// <summary>A budget's spend so far in the period holding an hour, as of the end of that hour.</summary>
/// <param name="Period">The period holding the hour.</param>
/// <param name="AsOfHour">The hour the spend is as of: it counts the rollups of [period start, end of this hour).</param>
/// <param name="SpendUsd">The scope's cost in that range.</param>
/// <param name="Percent">The spend as a percentage of the budget's amount.</param>
public sealed record BudgetSpendReading(PeriodWindow Period, DateTimeOffset AsOfHour, decimal SpendUsd, decimal Percent);

/// <summary>
/// Reads a budget's spend from the tenant's hourly rollups through the costs feature's query (<see cref="CostQuery"/>), so
/// a budget and the costs API always agree on what a scope spent.
/// </summary>
public sealed class BudgetSpend(CostQuery costs)
{
    /// <summary>The spend of <paramref name="budget"/>'s scope in the period holding <paramref name="hour"/>, up to the end of that hour; null when no period holds it (a fixed range outside its dates).</summary>
    public async Task<BudgetSpendReading?> AsOfAsync(string tenant, Budget budget, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(budget);
        hour = TimeBuckets.HourStart(hour);
        if (budget.Period.Containing(hour) is not { } period)
        {
            return null;
        }

        var to = hour.AddHours(1) < period.End ? hour.AddHours(1) : period.End;
        var spend = await costs.CostAsync(tenant, budget.Scope.Filters, period.Start, to, cancellationToken);
        return new BudgetSpendReading(period, hour, spend, Math.Round(spend / budget.AmountUsd * 100m, 4, MidpointRounding.AwayFromZero));
    }
}
