using TokenTally.Application.Forecasts;

namespace TokenTally.Application.Budgets;

/// <summary>The scope of each budget whose period is under way, forecast to the end of that period in the budget's zone.</summary>
internal sealed class BudgetForecastTargets(BudgetStore budgets) : IForecastTargets
{
    public async Task<IReadOnlyList<ForecastTarget>> OfAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var targets = new List<ForecastTarget>();
        foreach (var stored in await budgets.ListAsync(tenant, cancellationToken))
        {
            var budget = stored.Budget.ToBudget();
            if (budget.Period.Containing(hour) is { } period)
            {
                targets.Add(new ForecastTarget(ForecastStore.BudgetSeries(stored.Budget.Id), budget.Scope, stored.Budget.Scope, period, budget.Period.Zone));
            }
        }

        return targets;
    }
}
