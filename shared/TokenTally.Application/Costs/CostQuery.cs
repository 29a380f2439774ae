using TokenTally.Application.Rollups;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Costs;

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

    private static Percentiles Percentiles(Core.Sketches.DDSketch sketch)
    {
        if (sketch.Count == 0)
        {
            return new Percentiles(null, null, null);
        }

        Span<double> estimates = stackalloc double[3];
        sketch.Quantiles([0.5, 0.95, 0.99], estimates);
        return new Percentiles(Math.Round(estimates[0], 2), Math.Round(estimates[1], 2), Math.Round(estimates[2], 2));
    }
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
        var positions = cube.Dimensions.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        var filters = spec.Filters.Select(f => (Position: positions[f.Key], Allowed: f.Value)).ToArray();
        var groupPositions = spec.GroupBy.Select(d => positions[d]).ToArray();
        var series = new Dictionary<string, SeriesAccumulator>(StringComparer.Ordinal);
        var buckets = new Dictionary<DateTimeOffset, DateTimeOffset>();
        foreach (var range in Ranges(spec))
        {
            await foreach (var (hour, row) in range.Daily
                ? rollups.ReadDailyAsync(tenant, cube, range.From, range.To, cancellationToken)
                : rollups.ReadHourlyAsync(tenant, cube, range.From, range.To, cancellationToken))
            {
                if (!Passes(row.Key, filters))
                {
                    continue;
                }

                var id = SeriesId(row.Key, groupPositions);
                if (!series.TryGetValue(id, out var entry))
                {
                    series[id] = entry = new SeriesAccumulator(Array.ConvertAll(groupPositions, p => row.Key[p]));
                }

                if (!buckets.TryGetValue(hour, out var bucket))
                {
                    buckets[hour] = bucket = TimeBuckets.BucketStart(hour, spec.Granularity, spec.Zone);
                }

                entry.Add(bucket, row);
            }

            // Ranges come in time order, so buckets that start before the one holding range.To are complete.
            var next = TimeBuckets.BucketStart(range.To, spec.Granularity, spec.Zone);
            foreach (var entry in series.Values)
            {
                entry.CloseBefore(next);
            }
        }

        var total = new RollupRow(Cube.Total, []);
        var result = new List<CostSeries>(series.Count);
        foreach (var s in series.Values)
        {
            var points = s.CloseAll();
            total.Merge(s.Total);
            result.Add(new CostSeries(
                spec.GroupBy.Select((d, i) => (Name: NameOf(d), Value: s.Key[i])).ToDictionary(x => x.Name, x => x.Value),
                points,
                CostPoint.Of(spec.From, s.Total)));
        }

        var ordered = result.OrderByDescending(s => s.Total.CostUsd).ThenBy(s => string.Join('|', s.Key.Values), StringComparer.Ordinal).ToList();
        return new CostReport(spec.From, spec.To, spec.Granularity.ToString().ToLowerInvariant(), spec.Zone.Id, spec.GroupBy.Select(NameOf).ToList(), cube.Name, ordered, CostPoint.Of(spec.From, total));
    }

    /// <summary>
    /// The cost of the calls matching <paramref name="filters"/> (dimension → values admitted) in [<paramref name="from"/>,
    /// <paramref name="to"/>); whole UTC days are read from the daily rollups.
    /// </summary>
    public async Task<decimal> CostAsync(string tenant, IReadOnlyDictionary<Dimension, IReadOnlyList<string>> filters, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var sets = filters.ToDictionary(f => f.Key, f => (IReadOnlySet<string>)f.Value.ToHashSet(StringComparer.Ordinal));
        return (await RunAsync(tenant, new CostQuerySpec(from, to, Granularity.Day, [], sets, TimeZoneInfo.Utc), cancellationToken)).Total.CostUsd;
    }

    private static bool Passes(IReadOnlyList<string> key, (int Position, IReadOnlySet<string> Allowed)[] filters)
    {
        foreach (var (position, allowed) in filters)
        {
            if (!allowed.Contains(key[position]))
            {
                return false;
            }
        }

        return true;
    }

    private static string SeriesId(IReadOnlyList<string> key, int[] groupPositions) => groupPositions.Length switch
    {
        0 => string.Empty,
        1 => key[groupPositions[0]],
        _ => HourRollup.RowKey(Array.ConvertAll(groupPositions, p => key[p])),
    };

    /// <summary>
    /// One series' buckets. Rows come fresh from the store and nobody else holds them, so a bucket's first row becomes
    /// its sum (no copy); a complete bucket becomes its point and joins the series total, so only open buckets stay in memory.
    /// </summary>
    private sealed class SeriesAccumulator(string[] key)
    {
        private readonly Dictionary<DateTimeOffset, RollupRow> _open = [];
        private readonly List<CostPoint> _points = [];
        private readonly List<DateTimeOffset> _closing = [];

        public string[] Key { get; } = key;

        public RollupRow Total { get; } = new(Cube.Total, []);

        public void Add(DateTimeOffset bucket, RollupRow row)
        {
            if (_open.TryGetValue(bucket, out var sum))
            {
                sum.Merge(row);
            }
            else
            {
                _open[bucket] = row;
            }
        }

        public void CloseBefore(DateTimeOffset start)
        {
            _closing.Clear();
            foreach (var (bucket, sum) in _open)
            {
                if (bucket < start)
                {
                    _points.Add(CostPoint.Of(bucket, sum));
                    Total.Merge(sum);
                    _closing.Add(bucket);
                }
            }

            foreach (var bucket in _closing)
            {
                _open.Remove(bucket);
            }
        }

        /// <summary>Closes the buckets still open, which completes <see cref="Total"/>, and returns every point in time order.</summary>
        public List<CostPoint> CloseAll()
        {
            CloseBefore(DateTimeOffset.MaxValue);
            _points.Sort((a, b) => a.Start.CompareTo(b.Start));
            return _points;
        }
    }

    /// <summary>
    /// The ranges to read, in time order: day rows for whole UTC days when the buckets are UTC days or longer
    /// (a 90-day query reads 90 rows per series, not 2,160), hour rows for the partial days at the edges
    /// and for any other zone, whose days do not align with UTC days. Long ranges are read a week at a time,
    /// so that complete buckets can be closed and their rows let go.
    /// </summary>
    private static List<(DateTimeOffset From, DateTimeOffset To, bool Daily)> Ranges(CostQuerySpec spec)
    {
        var utcAligned = spec.Granularity != Granularity.Hour && spec.Zone.BaseUtcOffset == TimeSpan.Zero && !spec.Zone.SupportsDaylightSavingTime;
        var firstDay = new DateTimeOffset(spec.From.UtcDateTime.Date, TimeSpan.Zero);
        if (firstDay < spec.From)
        {
            firstDay = firstDay.AddDays(1);
        }

        var endDay = new DateTimeOffset(spec.To.UtcDateTime.Date, TimeSpan.Zero);
        var ranges = new List<(DateTimeOffset From, DateTimeOffset To, bool Daily)>();
        if (!utcAligned || endDay <= firstDay)
        {
            AddWeeks(ranges, spec.From, spec.To, daily: false);
            return ranges;
        }

        AddWeeks(ranges, spec.From, firstDay, daily: false);
        AddWeeks(ranges, firstDay, endDay, daily: true);
        AddWeeks(ranges, endDay, spec.To, daily: false);
        return ranges;
    }

    private static void AddWeeks(List<(DateTimeOffset From, DateTimeOffset To, bool Daily)> ranges, DateTimeOffset from, DateTimeOffset to, bool daily)
    {
        for (var start = from; start < to; start = start.AddDays(7))
        {
            ranges.Add((start, start.AddDays(7) < to ? start.AddDays(7) : to, daily));
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
