using TokenTally.Application.Budgets;
using TokenTally.Application.Costs;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Tests.Budgets;

/// <summary>A budget's spend read from hourly rollups, against a reference summed from the raw calls.</summary>
public sealed class BudgetSpendTests : IDisposable
{
    private static readonly DateTimeOffset First = new(2026, 5, 3, 0, 0, 0, TimeSpan.Zero);
    private readonly TemporarySqliteStore _store = new();

    private sealed record Call(DateTimeOffset Hour, string Department, decimal Cost);

    [Fact]
    public async Task TheSpendOfAScopedDailyBudgetInAZoneSumsItsCallsFromLocalMidnightToTheEndOfTheHour()
    {
        var (tenant, calls) = await SeedAsync();
        var budget = Budget(new Dictionary<string, IReadOnlyList<string>> { ["department"] = ["sales"] }, new BudgetPeriodDocument("day", "Europe/Paris", null, null), 2m);
        var hour = new DateTimeOffset(2026, 5, 5, 10, 0, 0, TimeSpan.Zero);

        var reading = await CreateSut().AsOfAsync(tenant, budget, hour, TestContext.Current.CancellationToken);

        // Paris is UTC+2 in May: its day of the 5th starts at 22:00 UTC on the 4th.
        var start = new DateTimeOffset(2026, 5, 4, 22, 0, 0, TimeSpan.Zero);
        var expected = calls.Where(c => c.Department == "sales" && c.Hour >= start && c.Hour <= hour).Sum(c => c.Cost);
        Assert.NotNull(reading);
        Assert.Equal((start, start.AddDays(1)), (reading.Period.Start, reading.Period.End));
        Assert.Equal((hour, expected), (reading.AsOfHour, reading.SpendUsd));
        Assert.Equal(Math.Round(expected / 2m * 100m, 4), reading.Percent);
        Assert.True(expected > 0 && expected < calls.Where(c => c.Hour >= start && c.Hour <= hour).Sum(c => c.Cost));
    }

    [Fact]
    public async Task AMonthlyTenantBudgetCountsEveryCallOfTheMonthSoFar()
    {
        var (tenant, calls) = await SeedAsync();
        var budget = Budget(new Dictionary<string, IReadOnlyList<string>>(), new BudgetPeriodDocument("month", "UTC", null, null), 10m);
        var hour = new DateTimeOffset(2026, 5, 6, 7, 0, 0, TimeSpan.Zero);

        var reading = await CreateSut().AsOfAsync(tenant, budget, hour, TestContext.Current.CancellationToken);

        Assert.Equal(calls.Where(c => c.Hour <= hour).Sum(c => c.Cost), reading!.SpendUsd);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero), reading.Period.Start);
    }

    [Fact]
    public async Task AFixedRangeThatDoesNotHoldTheHourHasNoSpend()
    {
        var (tenant, _) = await SeedAsync();
        var budget = Budget(new Dictionary<string, IReadOnlyList<string>>(), new BudgetPeriodDocument("fixed", "UTC", "2026-06-01", "2026-07-01"), 10m);

        Assert.Null(await CreateSut().AsOfAsync(tenant, budget, First.AddDays(1), TestContext.Current.CancellationToken));
    }

    private BudgetSpend CreateSut() => new(new CostQuery(new RollupStore(_store.Store)));

    private static Core.Budgets.Budget Budget(Dictionary<string, IReadOnlyList<string>> scope, BudgetPeriodDocument period, decimal amount) =>
        new BudgetDocument("b1", "t", "b", scope, period, amount, [50m, 80m, 100m], false, [], First, First).ToBudget();

    private async Task<(string Tenant, List<Call> Calls)> SeedAsync()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N");
        var random = new Random(7);
        var calls = Enumerable.Range(0, 24 * 5).SelectMany(h => Enumerable.Range(0, 4).Select(i =>
            new Call(First.AddHours(h), i % 2 == 0 ? "sales" : "support", random.Next(1, 100_000) / 1_000_000m))).ToList();
        var rollups = new RollupStore(_store.Store);
        foreach (var hour in calls.GroupBy(c => c.Hour))
        {
            var rollup = new HourRollup();
            foreach (var call in hour)
            {
                var values = new string[CallFact.DimensionCount];
                Array.Fill(values, Cube.None);
                values[(int)Dimension.Project] = "p";
                values[(int)Dimension.Department] = call.Department;
                values[(int)Dimension.Status] = "ok";
                rollup.Add(new CallFact(values, false, 100, 0, 0, 10, 0, call.Cost, false, 100, null));
            }

            await rollups.ReplaceHourAsync(tenant, hour.Key, rollup.Rows(), TestContext.Current.CancellationToken);
        }

        return (tenant, calls);
    }

    public void Dispose() => _store.Dispose();
}
