using TokenTally.Application.Rollups;
using TokenTally.Core.Budgets;

namespace TokenTally.Application.Forecasts;

/// <summary>
/// The hourly cost of several scopes of a tenant over one range, from the hourly rollups: each cube the scopes need is
/// read once, and each of its rows is added to every scope that admits it.
/// </summary>
public sealed class HourlyCostSeries(RollupStore rollups)
{
    /// <summary>One array per scope, in order: the cost of each hour of [<paramref name="from"/>, <paramref name="to"/>) (0 for an hour with no rollup).</summary>
    public async Task<double[][]> ReadAsync(string tenant, IReadOnlyList<BudgetScope> scopes, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var hours = (int)(to - from).TotalHours;
        var series = scopes.Select(_ => new double[hours]).ToArray();
        foreach (var group in scopes.Select((scope, i) => (Scope: scope, Index: i)).GroupBy(s => s.Scope.Cube.Name, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            await foreach (var (hour, row) in rollups.ReadHourlyAsync(tenant, members[0].Scope.Cube, from, to, cancellationToken))
            {
                var h = (int)(hour - from).TotalHours;
                if (h < 0 || h >= hours)
                {
                    continue;
                }

                var cost = (double)row.Totals.CostUsd;
                foreach (var (scope, index) in members)
                {
                    if (scope.Admits(row))
                    {
                        series[index][h] += cost;
                    }
                }
            }
        }

        return series;
    }
}
