using TokenTally.Application.Costs;
using TokenTally.Core.Budgets;

namespace TokenTally.Application.Tests.Budgets;

/// <summary>A budget's scope names its dimensions as the costs API does, so a filter that works in one works in the other.</summary>
public sealed class BudgetScopeNamesTests
{
    [Fact]
    public void EveryDimensionABudgetFiltersOnHasTheNameTheCostsApiGivesIt()
    {
        Assert.All(BudgetScope.Dimensions, d => Assert.Equal(CostQuery.NameOf(d.Value), d.Key));
        Assert.Equal(["project", "service", "environment", "provider", "model", "department", "user"], BudgetScope.Dimensions.Keys);
    }
}
