using TokenTally.Core.Budgets;
using TokenTally.Core.Rollups;

namespace TokenTally.Core.Tests.Budgets;

/// <summary>Where a budget stands: spent, left, thresholds crossed, the projection; and which budgets cover a scope.</summary>
public sealed class BudgetStandingTests
{
    private static readonly PeriodWindow April = new(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

    private static Budget Budget(decimal amount, Dictionary<string, IReadOnlyList<string>?>? scope = null) =>
        BudgetValidator.Validate(new BudgetDraft("b", scope, new PeriodDraft("month", "UTC"), amount, null, null, null)).Budget!;

    [Theory]
    [InlineData(10, "Ok", new double[0], 90)]
    [InlineData(50, "Warning", new double[] { 50 }, 50)]
    [InlineData(99.99, "Warning", new double[] { 50, 80 }, 0.01)]
    [InlineData(100, "Exceeded", new double[] { 50, 80, 100 }, 0)]
    [InlineData(130, "Exceeded", new double[] { 50, 80, 100 }, 0)]
    public void TheStateFollowsTheThresholdsAndNothingIsLeftOnceTheAmountIsSpent(double spent, string state, double[] crossed, double remaining)
    {
        var standing = BudgetStanding.Of(Budget(100m), April, (decimal)spent, new SpendProjection((decimal)spent, "run-rate"));

        Assert.Equal(Enum.Parse<BudgetState>(state), standing.State);
        Assert.Equal(crossed.Select(c => (decimal)c), standing.CrossedThresholds);
        Assert.Equal((decimal)remaining, standing.RemainingUsd);
        Assert.Equal((decimal)spent, standing.PercentUsed);
    }

    [Fact]
    public void ARunRateCarriesTheAverageSoFarToThePeriodsEnd()
    {
        // 10 of the 30 days gone, 40 USD spent: 120 USD by the end, over a 100 USD budget.
        var projection = SpendProjection.RunRate(40m, April, April.Start.AddDays(10));
        var standing = BudgetStanding.Of(Budget(100m), April, 40m, projection);

        Assert.Equal(120m, projection.SpendUsd);
        Assert.Equal("run-rate", projection.Method);
        Assert.True(standing.ProjectedToExceed);
        Assert.Equal(BudgetState.Ok, standing.State);
    }

    [Fact]
    public void NothingIsProjectedFromThePeriodsFirstHourOrBeyondItsEnd()
    {
        Assert.Equal(3m, SpendProjection.RunRate(3m, April, April.Start.AddMinutes(20)).SpendUsd);
        Assert.Equal(70m, SpendProjection.RunRate(70m, April, April.End.AddDays(3)).SpendUsd);
    }

    [Fact]
    public void ABudgetCoversAScopeThatNamesEveryDimensionItFiltersOnWithAValueItAdmits()
    {
        var projectAndModels = Budget(100m, new() { ["project"] = ["bot"], ["model"] = ["gpt-4o", "gpt-4o-mini"] }).Scope;

        Assert.True(Budget(100m).Scope.Covers(new Dictionary<Dimension, string>()));
        Assert.True(Budget(100m).Scope.Covers(new Dictionary<Dimension, string> { [Dimension.Project] = "bot" }));
        Assert.True(projectAndModels.Covers(new Dictionary<Dimension, string> { [Dimension.Project] = "bot", [Dimension.Model] = "gpt-4o-mini", [Dimension.User] = "u1" }));
        Assert.False(projectAndModels.Covers(new Dictionary<Dimension, string> { [Dimension.Project] = "bot" }));
        Assert.False(projectAndModels.Covers(new Dictionary<Dimension, string> { [Dimension.Project] = "bot", [Dimension.Model] = "o3" }));
        Assert.False(projectAndModels.Covers(new Dictionary<Dimension, string> { [Dimension.Project] = "other", [Dimension.Model] = "gpt-4o" }));
    }

    [Fact]
    public void ABudgetCountsTheCallsWhoseValuesItAdmits()
    {
        var scope = Budget(100m, new() { ["department"] = ["sales"] }).Scope;
        var values = new string[CallFact.DimensionCount];
        Array.Fill(values, Cube.None);
        var call = new CallFact(values, false, 1, 0, 0, 1, 0, 0.5m, false, null, null);

        Assert.False(scope.Counts(call));
        values[(int)Dimension.Department] = "sales";
        Assert.True(scope.Counts(call));
        Assert.True(Budget(100m).Scope.Counts(call));
    }
}
