using TokenTally.Application.Anomalies;
using TokenTally.Core.Alerts.Rules;
using TokenTally.Core.Budgets;

namespace TokenTally.Application.Tests.Anomalies;

public sealed class AnomalyScopeTests
{
    /// <summary>A scope as an alert rule's validation makes it from <c>dimension → values</c>.</summary>
    private static BudgetScope Scope(params (string Dimension, string[] Values)[] filters) =>
        AlertRuleValidator.Validate(new AlertRuleDraft("r", "anomaly_score", filters.ToDictionary(f => f.Dimension, f => (IReadOnlyList<string>?)f.Values), null, 0.5m, null, null, null)).Rule!.Scope;

    [Theory]
    [InlineData("tenant", true)]
    [InlineData("model=claude-opus-4-1", true)]
    [InlineData("project=search", true)]
    public void TheWholeTenantsRuleWatchesEverySlice(string slice, bool within) => Assert.Equal(within, AnomalyStore.InScope(BudgetScope.Tenant, slice));

    [Theory]
    [InlineData("model=claude-opus-4-1", true)]
    [InlineData("model=gpt-4o", true)]
    [InlineData("model=gpt-4o-mini", false)]
    [InlineData("service=code-review", false)]
    [InlineData("tenant", false)]
    public void AScopedRuleWatchesTheSlicesOfItsValues(string slice, bool within) =>
        Assert.Equal(within, AnomalyStore.InScope(Scope(("model", ["claude-opus-4-1", "gpt-4o"])), slice));

    [Fact]
    public void AScopeOnTwoDimensionsHoldsNoSliceOfOne() =>
        Assert.False(AnomalyStore.InScope(Scope(("model", ["gpt-4o"]), ("project", ["search"])), "model=gpt-4o"));
}
