using TokenTally.Core.Anomalies.Slices;

namespace TokenTally.Core.Tests.Anomalies.Slices;

public sealed class ContributorRankingTests
{
    private static Dictionary<string, decimal> Costs(params (string Value, decimal Cost)[] costs) => costs.ToDictionary(c => c.Value, c => c.Cost);

    [Fact]
    public void ValuesAreRankedByTheirExcessOverTheMedianOfTheBaselineHoursWithTheirShareOfIt()
    {
        // gpt-4o usually costs 10 (one baseline day spiked to 40: the median ignores it); opus is new; mini fell.
        IReadOnlyList<IReadOnlyDictionary<string, decimal>> baselines = [Costs(("gpt-4o", 10), ("mini", 2)), Costs(("gpt-4o", 40), ("mini", 2)), Costs(("gpt-4o", 10))];
        var ranked = ContributorRanking.Rank("model", Costs(("gpt-4o", 20), ("claude-opus-4-1", 30), ("mini", 1)), baselines, rising: true, top: 3);

        Assert.Equal(
            [new Contributor("model", "claude-opus-4-1", 30, 0, 30, 0.75), new Contributor("model", "gpt-4o", 20, 10, 10, 0.25)],
            ranked);
    }

    [Fact]
    public void ForADropTheValuesThatFellAreRankedAndAtMostTopAreKept()
    {
        IReadOnlyList<IReadOnlyDictionary<string, decimal>> baselines = [Costs(("a", 10), ("b", 5), ("c", 3)), Costs(("a", 10), ("b", 5), ("c", 3))];
        var ranked = ContributorRanking.Rank("service", Costs(("a", 0), ("b", 4), ("c", 1), ("d", 50)), baselines, rising: false, top: 2);

        Assert.Equal(["a", "c"], ranked.Select(c => c.Value));
        Assert.Equal([-10m, -2m], ranked.Select(c => c.ExcessUsd));
        Assert.Equal(10.0 / 13, ranked[0].Share, 6);
    }

    [Fact]
    public void WithoutBaselineHoursEveryValueIsExcess()
    {
        var ranked = ContributorRanking.Rank("user", Costs(("u1", 3), ("u2", 1)), [], rising: true, top: 5);

        Assert.Equal([("u1", 0.75), ("u2", 0.25)], ranked.Select(c => (c.Value, c.Share)));
    }
}
