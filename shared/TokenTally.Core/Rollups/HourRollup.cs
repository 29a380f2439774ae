namespace TokenTally.Core.Rollups;

/// <summary>
/// Builds every cube's rows for one tenant and hour from its call records. Feeding the same calls
/// gives the same rows, so a rerun is an overwrite, never a double count.
/// </summary>
public sealed class HourRollup
{
    private readonly int _topN;
    private readonly Dictionary<Cube, Dictionary<string, RollupRow>> _rows = Cube.All.ToDictionary(c => c, _ => new Dictionary<string, RollupRow>(StringComparer.Ordinal));

    /// <summary>A rollup that keeps at most <paramref name="topN"/> values of a cube's top dimension (default 500).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topN"/> is below 1.</exception>
    public HourRollup(int topN = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topN, 1);
        _topN = topN;
    }

    /// <summary>Calls added so far.</summary>
    public long Calls { get; private set; }

    /// <summary>Counts one call in every cube.</summary>
    public void Add(CallFact call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Calls++;
        foreach (var (cube, rows) in _rows)
        {
            var key = new string[cube.Dimensions.Count];
            for (var i = 0; i < key.Length; i++)
            {
                key[i] = call[cube.Dimensions[i]];
            }

            var id = RowKey(key);
            if (!rows.TryGetValue(id, out var row))
            {
                rows[id] = row = new RollupRow(cube, key);
            }

            row.Add(call);
        }
    }

    /// <summary>
    /// The rows of every cube. In a cube with a top dimension, values outside the top N by cost
    /// (then calls, then name) are folded into <see cref="Cube.Other"/>, so the cube's totals stay exact.
    /// </summary>
    public IReadOnlyList<RollupRow> Rows()
    {
        var result = new List<RollupRow>();
        foreach (var (cube, rows) in _rows)
        {
            result.AddRange(cube.TopDimension is { } top ? FoldBeyondTop(cube, top, rows.Values) : rows.Values);
        }

        return result;
    }

    /// <summary>The stable identity of a key within its cube.</summary>
    public static string RowKey(IReadOnlyList<string> key) => string.Join('\u001f', key);

    private IEnumerable<RollupRow> FoldBeyondTop(Cube cube, Dimension top, IEnumerable<RollupRow> rows)
    {
        var index = cube.Dimensions.ToList().IndexOf(top);
        var ranked = rows.GroupBy(r => r.Key[index], StringComparer.Ordinal)
            .Select(g => (Value: g.Key, Cost: g.Sum(r => r.CostUsd), Calls: g.Sum(r => r.Calls)))
            .OrderByDescending(v => v.Cost).ThenByDescending(v => v.Calls).ThenBy(v => v.Value, StringComparer.Ordinal)
            .ToList();
        if (ranked.Count <= _topN)
        {
            return rows;
        }

        var kept = ranked.Take(_topN).Select(v => v.Value).ToHashSet(StringComparer.Ordinal);
        var folded = new Dictionary<string, RollupRow>(StringComparer.Ordinal);
        var result = new List<RollupRow>();
        foreach (var row in rows)
        {
            if (kept.Contains(row.Key[index]))
            {
                result.Add(row);
                continue;
            }

            var key = row.Key.ToArray();
            key[index] = Cube.Other;
            var id = RowKey(key);
            if (!folded.TryGetValue(id, out var other))
            {
                folded[id] = other = new RollupRow(cube, key);
            }

            other.Merge(row);
        }

        result.AddRange(folded.Values);
        return result;
    }
}
