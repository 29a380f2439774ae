using TokenTally.Core.Rollups;

namespace TokenTally.Core.Anomalies.Slices;

/// <summary>
/// Builds a tenant's hourly series from its rollup rows: the tenant's cost, calls, error rate, p95 latency and tokens per
/// call from the total cube, and the cost of each chosen slice (project, service, model value) from the usage cube. An hour
/// without rows has no cost and no calls; a ratio on fewer than <see cref="MinCallsForRatios"/> calls is missing (NaN).
/// </summary>
public sealed class TenantSeriesBuilder
{
    /// <summary>The fewest calls an hour's error rate, latency or tokens per call is computed from.</summary>
    public const int MinCallsForRatios = 10;

    private readonly DateTimeOffset _from;
    private readonly RollupRow[] _totals;
    private readonly Dictionary<(Dimension Dimension, string Value), double[]> _slices = [];

    /// <summary>A builder for the <paramref name="hours"/> hours from <paramref name="from"/> (an hour start).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hours"/> is below 1.</exception>
    public TenantSeriesBuilder(DateTimeOffset from, int hours)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hours, 1);
        _from = TimeBuckets.HourStart(from);
        _totals = new RollupRow[hours];
        for (var i = 0; i < hours; i++)
        {
            _totals[i] = new RollupRow(Cube.Total, []);
        }
    }

    /// <summary>The first hour of every series.</summary>
    public DateTimeOffset From => _from;

    /// <summary>How many hours every series has.</summary>
    public int Hours => _totals.Length;

    /// <summary>Counts a total-cube row of <paramref name="hour"/>; rows outside the range are ignored.</summary>
    public void AddTotal(DateTimeOffset hour, RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Index(hour) is { } i)
        {
            _totals[i].Merge(row);
        }
    }

    /// <summary>Declares a slice whose cost is a series (an hour without its rows costs nothing).</summary>
    public void AddSlice(Dimension dimension, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _slices.TryAdd((dimension, value), new double[_totals.Length]);
    }

    /// <summary>Adds cost to a declared slice at <paramref name="hour"/>; undeclared slices and hours outside the range are ignored.</summary>
    public void AddSliceCost(Dimension dimension, string value, DateTimeOffset hour, decimal cost)
    {
        if (Index(hour) is { } i && _slices.TryGetValue((dimension, value), out var series))
        {
            series[i] += (double)cost;
        }
    }

    /// <summary>
    /// Every series, from the first hour with calls (a tenant's history before its first call is no flat stretch for the
    /// detector to learn): the tenant's five metrics, then the slices' costs ordered by dimension and value. Null when no
    /// hour has calls.
    /// </summary>
    public TenantSeries? Build()
    {
        var first = Array.FindIndex(_totals, row => row.Calls > 0);
        if (first < 0)
        {
            return null;
        }

        var series = new List<(SeriesKey, double[])>();
        foreach (var metric in Enum.GetValues<SeriesMetric>())
        {
            series.Add((new SeriesKey(metric), _totals.Skip(first).Select(row => Value(metric, row)).ToArray()));
        }

        foreach (var ((dimension, value), costs) in _slices.OrderBy(s => s.Key.Dimension).ThenBy(s => s.Key.Value, StringComparer.Ordinal))
        {
            series.Add((new SeriesKey(SeriesMetric.Cost, dimension, value), costs[first..]));
        }

        return new TenantSeries(_from.AddHours(first), series);
    }

    /// <summary>
    /// The <paramref name="count"/> values with the highest cost, then name; the fold of values past a cube's top N
    /// (<see cref="Cube.Other"/>) is no slice of its own.
    /// </summary>
    public static IReadOnlyList<string> TopValues(IEnumerable<(string Value, decimal Cost)> costs, int count) =>
        costs.Where(c => c.Value != Cube.Other).GroupBy(c => c.Value, StringComparer.Ordinal)
            .Select(g => (Value: g.Key, Cost: g.Sum(c => c.Cost)))
            .Where(v => v.Cost > 0)
            .OrderByDescending(v => v.Cost).ThenBy(v => v.Value, StringComparer.Ordinal)
            .Take(count).Select(v => v.Value).ToList();

    /// <summary>The value of <paramref name="metric"/> in one hour's merged total row; NaN for a ratio on too few calls.</summary>
    public static double Value(SeriesMetric metric, RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var enough = row.Calls >= MinCallsForRatios;
        return metric switch
        {
            SeriesMetric.Cost => (double)row.CostUsd,
            SeriesMetric.Calls => row.Calls,
            SeriesMetric.ErrorRate when enough => row.Errors * 100.0 / row.Calls,
            SeriesMetric.TokensPerCall when enough => (double)(row.InputTokens + row.OutputTokens) / row.Calls,
            SeriesMetric.LatencyP95 when enough && row.Latency.Count >= MinCallsForRatios => row.Latency.Quantile(0.95),
            _ => double.NaN,
        };
    }

    private int? Index(DateTimeOffset hour)
    {
        var i = (long)Math.Floor((TimeBuckets.HourStart(hour) - _from).TotalHours);
        return i >= 0 && i < _totals.Length ? (int)i : null;
    }
}

/// <summary>A tenant's hourly series, all starting at <paramref name="Start"/> and of one length.</summary>
/// <param name="Start">The hour of every series' first point.</param>
/// <param name="Series">Each series' key and values, oldest first; NaN marks a missing point.</param>
public sealed record TenantSeries(DateTimeOffset Start, IReadOnlyList<(SeriesKey Key, double[] Values)> Series);
