using TokenTally.Core.Sketches;

namespace TokenTally.Core.Rollups;

/// <summary>
/// One row of a cube for one hour (or, after merging, a longer period): exact counts, token sums
/// and decimal cost, plus mergeable latency and time-to-first-token sketches.
/// </summary>
public sealed class RollupRow
{
    /// <summary>The relative accuracy of the latency sketches (1%).</summary>
    public const double SketchAccuracy = 0.01;

    /// <summary>An empty row for <paramref name="key"/> of <paramref name="cube"/>.</summary>
    /// <param name="cube">The cube the row belongs to.</param>
    /// <param name="key">One value per dimension of the cube, in the cube's order.</param>
    public RollupRow(Cube cube, IReadOnlyList<string> key)
    {
        ArgumentNullException.ThrowIfNull(cube);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Count != cube.Dimensions.Count)
        {
            throw new ArgumentException($"Cube '{cube.Name}' has {cube.Dimensions.Count} dimensions; the key has {key.Count} values.", nameof(key));
        }

        Cube = cube;
        Key = key;
    }

    /// <summary>The cube the row belongs to.</summary>
    public Cube Cube { get; }

    /// <summary>The row's value per cube dimension.</summary>
    public IReadOnlyList<string> Key { get; }

    /// <summary>Calls counted.</summary>
    public long Calls { get; private set; }

    /// <summary>Failed calls.</summary>
    public long Errors { get; private set; }

    /// <summary>All prompt tokens.</summary>
    public long InputTokens { get; private set; }

    /// <summary>Cache-read prompt tokens.</summary>
    public long CachedInputTokens { get; private set; }

    /// <summary>Cache-write prompt tokens.</summary>
    public long CacheWriteTokens { get; private set; }

    /// <summary>All completion tokens.</summary>
    public long OutputTokens { get; private set; }

    /// <summary>Reasoning tokens.</summary>
    public long ReasoningTokens { get; private set; }

    /// <summary>Exact sum of the calls' costs in USD.</summary>
    public decimal CostUsd { get; private set; }

    /// <summary>Calls that could not be priced.</summary>
    public long UnpricedCalls { get; private set; }

    /// <summary>Latency distribution (ms).</summary>
    public DDSketch Latency { get; private set; } = new(SketchAccuracy);

    /// <summary>Time-to-first-token distribution (ms).</summary>
    public DDSketch TimeToFirstToken { get; private set; } = new(SketchAccuracy);

    /// <summary>The value of <paramref name="dimension"/> in this row, or null when the cube does not have it.</summary>
    public string? ValueOf(Dimension dimension)
    {
        var index = Cube.Dimensions.ToList().IndexOf(dimension);
        return index < 0 ? null : Key[index];
    }

    /// <summary>Counts one call.</summary>
    public void Add(CallFact call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Calls++;
        Errors += call.IsError ? 1 : 0;
        InputTokens += call.InputTokens;
        CachedInputTokens += call.CachedInputTokens;
        CacheWriteTokens += call.CacheWriteTokens;
        OutputTokens += call.OutputTokens;
        ReasoningTokens += call.ReasoningTokens;
        CostUsd += call.CostUsd;
        UnpricedCalls += call.Unpriced ? 1 : 0;
        if (call.LatencyMs is { } latency)
        {
            Latency.Add(latency);
        }

        if (call.TimeToFirstTokenMs is { } ttft)
        {
            TimeToFirstToken.Add(ttft);
        }
    }

    /// <summary>Adds another row's counts and sketches into this one (hours into days, users into "other").</summary>
    public void Merge(RollupRow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Calls += other.Calls;
        Errors += other.Errors;
        InputTokens += other.InputTokens;
        CachedInputTokens += other.CachedInputTokens;
        CacheWriteTokens += other.CacheWriteTokens;
        OutputTokens += other.OutputTokens;
        ReasoningTokens += other.ReasoningTokens;
        CostUsd += other.CostUsd;
        UnpricedCalls += other.UnpricedCalls;
        Latency.Merge(other.Latency);
        TimeToFirstToken.Merge(other.TimeToFirstToken);
    }

    /// <summary>Rebuilds a row from stored totals and sketch states.</summary>
    public static RollupRow Restore(Cube cube, IReadOnlyList<string> key, RollupTotals totals, DDSketch latency, DDSketch timeToFirstToken)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return new RollupRow(cube, key)
        {
            Calls = totals.Calls,
            Errors = totals.Errors,
            InputTokens = totals.InputTokens,
            CachedInputTokens = totals.CachedInputTokens,
            CacheWriteTokens = totals.CacheWriteTokens,
            OutputTokens = totals.OutputTokens,
            ReasoningTokens = totals.ReasoningTokens,
            CostUsd = totals.CostUsd,
            UnpricedCalls = totals.UnpricedCalls,
            Latency = latency,
            TimeToFirstToken = timeToFirstToken,
        };
    }

    /// <summary>The row's exact totals.</summary>
    public RollupTotals Totals => new(Calls, Errors, InputTokens, CachedInputTokens, CacheWriteTokens, OutputTokens, ReasoningTokens, CostUsd, UnpricedCalls);
}

/// <summary>The exact sums of a rollup row.</summary>
/// <param name="Calls">Calls counted.</param>
/// <param name="Errors">Failed calls.</param>
/// <param name="InputTokens">All prompt tokens.</param>
/// <param name="CachedInputTokens">Cache reads.</param>
/// <param name="CacheWriteTokens">Cache writes.</param>
/// <param name="OutputTokens">All completion tokens.</param>
/// <param name="ReasoningTokens">Reasoning tokens.</param>
/// <param name="CostUsd">Exact cost in USD.</param>
/// <param name="UnpricedCalls">Calls without a price.</param>
public sealed record RollupTotals(long Calls, long Errors, long InputTokens, long CachedInputTokens, long CacheWriteTokens, long OutputTokens, long ReasoningTokens, decimal CostUsd, long UnpricedCalls);
