namespace TokenTally.Core.Anomalies.Slices;

/// <summary>
/// One value of a dimension that drove a cost anomaly: its cost in the anomalous hour, its baseline (the median of the same
/// hour on the days before), the difference, and its share of the excess of every value that moved the same way.
/// </summary>
/// <param name="Dimension">The dimension's API name (<c>model</c>, <c>service</c>, …).</param>
/// <param name="Value">The dimension's value.</param>
/// <param name="ObservedUsd">Its cost in the anomalous hour.</param>
/// <param name="BaselineUsd">Its usual cost at that hour.</param>
/// <param name="ExcessUsd">Observed minus baseline (negative for a drop).</param>
/// <param name="Share">Its part, from 0 to 1, of the excess of all values that moved in the anomaly's direction.</param>
public sealed record Contributor(string Dimension, string Value, decimal ObservedUsd, decimal BaselineUsd, decimal ExcessUsd, double Share);

/// <summary>Ranks a dimension's values by how much of a cost anomaly's excess over their baselines each one accounts for.</summary>
public static class ContributorRanking
{
    /// <summary>
    /// The values of one dimension that moved in the anomaly's direction, largest excess first, at most
    /// <paramref name="top"/>. A value missing from an hour cost nothing then; the baseline of a value is the median of
    /// its costs over <paramref name="baselines"/> (the same hour on earlier days), so one earlier spike does not hide it.
    /// </summary>
    /// <param name="dimension">The dimension's API name.</param>
    /// <param name="observed">Cost per value in the anomalous hour.</param>
    /// <param name="baselines">Cost per value in each baseline hour.</param>
    /// <param name="rising">True for a rise (rank by excess), false for a drop (rank by shortfall).</param>
    /// <param name="top">How many values to keep.</param>
    public static IReadOnlyList<Contributor> Rank(
        string dimension, IReadOnlyDictionary<string, decimal> observed, IReadOnlyList<IReadOnlyDictionary<string, decimal>> baselines, bool rising, int top)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(baselines);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var values = observed.Keys.Concat(baselines.SelectMany(b => b.Keys)).Distinct(StringComparer.Ordinal);
        var moved = new List<(string Value, decimal Observed, decimal Baseline, decimal Excess)>();
        foreach (var value in values)
        {
            var now = observed.GetValueOrDefault(value);
            var usual = Median(baselines.Select(b => b.GetValueOrDefault(value)).ToList());
            var excess = now - usual;
            if (rising ? excess > 0 : excess < 0)
            {
                moved.Add((value, now, usual, excess));
            }
        }

        var total = moved.Sum(m => Math.Abs(m.Excess));
        return moved.OrderByDescending(m => Math.Abs(m.Excess)).ThenBy(m => m.Value, StringComparer.Ordinal).Take(top)
            .Select(m => new Contributor(dimension, m.Value, m.Observed, m.Baseline, m.Excess, total == 0 ? 0 : (double)(Math.Abs(m.Excess) / total)))
            .ToList();
    }

    private static decimal Median(List<decimal> costs)
    {
        if (costs.Count == 0)
        {
            return 0;
        }

        costs.Sort();
        var middle = costs.Count / 2;
        return costs.Count % 2 == 1 ? costs[middle] : (costs[middle - 1] + costs[middle]) / 2;
    }
}
