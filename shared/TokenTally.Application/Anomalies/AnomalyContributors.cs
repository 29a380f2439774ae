using TokenTally.Application.Rollups;
using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Anomalies;

/// <summary>
/// The top contributors of a cost anomaly, from the rollups: for each of service, model, project and department (usage cube)
/// and user (users cube), each value's cost in the hour within the anomaly's slice against its median cost at the same hour
/// on the <see cref="BaselineDays"/> days before, ranked by their share of the excess. The users cube has no service or
/// model, so for those slices the users are ranked over the whole tenant.
/// </summary>
public sealed class AnomalyContributors(RollupStore rollups)
{
    /// <summary>How many earlier days' same hour make the baseline.</summary>
    public const int BaselineDays = 7;

    /// <summary>How many values are kept per dimension.</summary>
    public const int PerDimension = 3;

    private static readonly (Cube Cube, Dimension[] Dimensions)[] Ranked =
    [
        (Cube.Usage, [Dimension.Service, Dimension.Model, Dimension.Project, Dimension.Department]),
        (Cube.Users, [Dimension.User]),
    ];

    /// <summary>The contributors of an anomaly on <paramref name="series"/> at <paramref name="hour"/>, dimension by dimension.</summary>
    public async Task<IReadOnlyList<Contributor>> RankAsync(string tenant, SeriesKey series, DateTimeOffset hour, bool rising, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(series);
        var contributors = new List<Contributor>();
        foreach (var (cube, dimensions) in Ranked)
        {
            var observed = await CostsAsync(tenant, cube, dimensions, series, hour, cancellationToken);
            var baselines = new List<Dictionary<Dimension, Dictionary<string, decimal>>>();
            for (var day = 1; day <= BaselineDays; day++)
            {
                baselines.Add(await CostsAsync(tenant, cube, dimensions, series, hour.AddDays(-day), cancellationToken));
            }

            foreach (var dimension in dimensions.Where(d => d != series.Dimension))
            {
                contributors.AddRange(ContributorRanking.Rank(
                    SeriesKey.DimensionName(dimension), observed[dimension], baselines.Select(b => (IReadOnlyDictionary<string, decimal>)b[dimension]).ToList(), rising, PerDimension));
            }
        }

        return contributors;
    }

    /// <summary>Cost per value of each dimension in one hour, within the series' slice where the cube has its dimension.</summary>
    private async Task<Dictionary<Dimension, Dictionary<string, decimal>>> CostsAsync(
        string tenant, Cube cube, Dimension[] dimensions, SeriesKey series, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var costs = dimensions.ToDictionary(d => d, _ => new Dictionary<string, decimal>(StringComparer.Ordinal));
        var filtered = series.Dimension is { } sliced && cube.Dimensions.Contains(sliced);
        await foreach (var row in rollups.ReadAsync(tenant, cube, hour, hour.AddHours(1), cancellationToken))
        {
            if (filtered && row.ValueOf(series.Dimension!.Value) != series.Value)
            {
                continue;
            }

            foreach (var dimension in dimensions)
            {
                var value = row.ValueOf(dimension)!;
                costs[dimension][value] = costs[dimension].GetValueOrDefault(value) + row.CostUsd;
            }
        }

        return costs;
    }
}
