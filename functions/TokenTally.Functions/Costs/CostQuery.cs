using TokenTally.Core.Rollups;
using TokenTally.Functions.Pipeline;

namespace TokenTally.Functions.Costs;

/// <summary>A validated cost query.</summary>
public sealed record CostQuerySpec(
    DateTimeOffset From,
    DateTimeOffset To,
    Granularity Granularity,
    IReadOnlyList<Dimension> GroupBy,
    IReadOnlyDictionary<Dimension, IReadOnlySet<string>> Filters,
    TimeZoneInfo Zone);

public sealed record Percentiles(double? P50, double? P95, double? P99);

/// <summary>One point of a series: exact totals and latency percentiles for one bucket.</summary>
public sealed record CostPoint(
    DateTimeOffset Start,
    long Calls,
    long Errors,
    decimal CostUsd,
    long InputTokens,
    long CachedInputTokens,
    long CacheWriteTokens,
    long OutputTokens,
    long ReasoningTokens,
    long UnpricedCalls,
    Percentiles LatencyMs,
    Percentiles TimeToFirstTokenMs)
{
    public static CostPoint Of(DateTimeOffset start, RollupRow row)
    {
        var t = row.Totals;
        return new CostPoint(start, t.Calls, t.Errors, t.CostUsd, t.InputTokens, t.CachedInputTokens, t.CacheWriteTokens, t.OutputTokens, t.ReasoningTokens, t.UnpricedCalls,
            Percentiles(row.Latency), Percentiles(row.TimeToFirstToken));
    }

    private static Percentiles Percentiles(Core.Sketches.DDSketch sketch) => sketch.Count == 0
        ? new Percentiles(null, null, null)
        : new Percentiles(Math.Round(sketch.Quantile(0.5), 2), Math.Round(sketch.Quantile(0.95), 2), Math.Round(sketch.Quantile(0.99), 2));
}

public sealed record CostSeries(IReadOnlyDictionary<string, string> Key, IReadOnlyList<CostPoint> Points, CostPoint Total);

public sealed record CostReport(DateTimeOffset From, DateTimeOffset To, string Granularity, string TimeZone, IReadOnlyList<string> GroupBy, string Cube, IReadOnlyList<CostSeries> Series, CostPoint Total);

/// <summary>Answers cost queries from hourly rollups: pick the smallest cube that has the dimensions, filter, group, bucket, merge.</summary>
public sealed class CostQuery(RollupStore rollups)
{
    public async Task<CostReport> RunAsync(string tenant, CostQuerySpec spec, CancellationToken cancellationToken)
    {
        var cube = Cube.Covering(spec.GroupBy.Concat(spec.Filters.Keys))
            ?? throw new ArgumentException($"No rollup holds {string.Join(" and ", spec.GroupBy.Concat(spec.Filters.Keys).Distinct())} together.");
        var indexes = cube.Dimensions.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        var series = new Dictionary<string, (string[] Key, SortedDictionary<DateTimeOffset, RollupRow> Points, RollupRow Total)>(StringComparer.Ordinal);
        var total = new RollupRow(Cube.Total, []);
        await foreach (var (hour, row) in ReadAsync(tenant, cube, spec, cancellationToken))
        {
            if (spec.Filters.Any(f => !f.Value.Contains(row.Key[indexes[f.Key]])))
            {
                continue;
            }

            var key = spec.GroupBy.Select(d => row.Key[indexes[d]]).ToArray();
            var id = HourRollup.RowKey(key);
            if (!series.TryGetValue(id, out var entry))
            {
                series[id] = entry = (key, new SortedDictionary<DateTimeOffset, RollupRow>(), new RollupRow(Cube.Total, []));
            }

            var bucket = TimeBuckets.BucketStart(hour, spec.Granularity, spec.Zone);
            if (!entry.Points.TryGetValue(bucket, out var point))
            {
                entry.Points[bucket] = point = new RollupRow(Cube.Total, []);
            }

            point.Merge(row);
            entry.Total.Merge(row);
            total.Merge(row);
        }

        var result = series.Values
            .Select(s => new CostSeries(
                spec.GroupBy.Select((d, i) => (Name: NameOf(d), Value: s.Key[i])).ToDictionary(x => x.Name, x => x.Value),
                s.Points.Select(p => CostPoint.Of(p.Key, p.Value)).ToList(),
                CostPoint.Of(spec.From, s.Total)))
            .OrderByDescending(s => s.Total.CostUsd).ThenBy(s => string.Join('|', s.Key.Values), StringComparer.Ordinal)
            .ToList();
        return new CostReport(spec.From, spec.To, spec.Granularity.ToString().ToLowerInvariant(), spec.Zone.Id, spec.GroupBy.Select(NameOf).ToList(), cube.Name, result, CostPoint.Of(spec.From, total));
    }

    /// <summary>
    /// The rows of the range: day rows for whole UTC days when the buckets are UTC days or longer
    /// (a 90-day query reads 90 rows per series, not 2,160), hour rows for the partial days at the edges
    /// and for any other zone, whose days do not align with UTC days.
    /// </summary>
    private async IAsyncEnumerable<(DateTimeOffset Start, RollupRow Row)> ReadAsync(string tenant, Cube cube, CostQuerySpec spec, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var utcAligned = spec.Granularity != Granularity.Hour && spec.Zone.BaseUtcOffset == TimeSpan.Zero && !spec.Zone.SupportsDaylightSavingTime;
        var firstDay = new DateTimeOffset(spec.From.UtcDateTime.Date, TimeSpan.Zero);
        if (firstDay < spec.From)
        {
            firstDay = firstDay.AddDays(1);
        }

        var endDay = new DateTimeOffset(spec.To.UtcDateTime.Date, TimeSpan.Zero);
        if (!utcAligned || endDay <= firstDay)
        {
            await foreach (var row in rollups.ReadHourlyAsync(tenant, cube, spec.From, spec.To, cancellationToken))
            {
                yield return row;
            }

            yield break;
        }

        await foreach (var row in rollups.ReadHourlyAsync(tenant, cube, spec.From, firstDay, cancellationToken))
        {
            yield return row;
        }

        await foreach (var row in rollups.ReadDailyAsync(tenant, cube, firstDay, endDay, cancellationToken))
        {
            yield return row;
        }

        await foreach (var row in rollups.ReadHourlyAsync(tenant, cube, endDay, spec.To, cancellationToken))
        {
            yield return row;
        }
    }

    public static string NameOf(Dimension dimension) => dimension switch
    {
        Dimension.User => "user",
        _ => char.ToLowerInvariant(dimension.ToString()[0]) + dimension.ToString()[1..],
    };

    public static bool TryParseDimension(string name, out Dimension dimension)
    {
        foreach (var candidate in Enum.GetValues<Dimension>())
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.OrdinalIgnoreCase) || (candidate == Dimension.User && name.Equals("userId", StringComparison.OrdinalIgnoreCase)))
            {
                dimension = candidate;
                return true;
            }
        }

        dimension = default;
        return false;
    }
}
