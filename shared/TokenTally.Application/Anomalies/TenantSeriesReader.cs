using TokenTally.Application.Rollups;
using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Anomalies;

/// <summary>
/// Reads a tenant's hourly series for the anomaly scan from its rollups: <see cref="HistoryDays"/> days up to an hour, the
/// tenant's metrics from the total cube and the cost of the <see cref="SlicesPerDimension"/> costliest projects, services
/// and models from the usage cube (chosen from its day rows: one row per day and key instead of 24).
/// </summary>
public sealed class TenantSeriesReader(RollupStore rollups)
{
    /// <summary>How much history a scan reads.</summary>
    public const int HistoryDays = 90;

    /// <summary>How many values of each sliced dimension get a series of their own.</summary>
    public const int SlicesPerDimension = 20;

    /// <summary>The dimensions whose values' costs are series of their own.</summary>
    public static IReadOnlyList<Dimension> SlicedDimensions { get; } = [Dimension.Project, Dimension.Service, Dimension.Model];

    /// <summary>The tenant's series over the <see cref="HistoryDays"/> days ending with <paramref name="through"/>; null when it has no calls then.</summary>
    public async Task<TenantSeries?> ReadAsync(string tenant, DateTimeOffset through, CancellationToken cancellationToken)
    {
        var end = TimeBuckets.HourStart(through).AddHours(1);
        var from = end.AddDays(-HistoryDays);
        var builder = new TenantSeriesBuilder(from, HistoryDays * 24);
        await foreach (var (hour, row) in rollups.ReadHourlyAsync(tenant, Cube.Total, from, end, cancellationToken))
        {
            builder.AddTotal(hour, row);
        }

        var costs = SlicedDimensions.ToDictionary(d => d, _ => new List<(string, decimal)>());
        var firstDay = new DateTimeOffset(from.UtcDateTime.Date, TimeSpan.Zero);
        var afterLastDay = new DateTimeOffset(end.AddTicks(-1).UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        await foreach (var (_, row) in rollups.ReadDailyAsync(tenant, Cube.Usage, firstDay, afterLastDay, cancellationToken))
        {
            foreach (var dimension in SlicedDimensions)
            {
                costs[dimension].Add((row.ValueOf(dimension)!, row.CostUsd));
            }
        }

        foreach (var dimension in SlicedDimensions)
        {
            foreach (var value in TenantSeriesBuilder.TopValues(costs[dimension], SlicesPerDimension))
            {
                builder.AddSlice(dimension, value);
            }
        }

        await foreach (var (hour, row) in rollups.ReadHourlyAsync(tenant, Cube.Usage, from, end, cancellationToken))
        {
            foreach (var dimension in SlicedDimensions)
            {
                builder.AddSliceCost(dimension, row.ValueOf(dimension)!, hour, row.CostUsd);
            }
        }

        return builder.Build();
    }
}
