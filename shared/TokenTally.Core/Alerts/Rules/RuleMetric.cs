using TokenTally.Core.Rollups;

namespace TokenTally.Core.Alerts.Rules;

/// <summary>What an alert rule watches, computed from the rollups of its window.</summary>
public enum RuleMetric
{
    /// <summary><c>cost_per_hour</c>: the window's cost over its hours, in USD.</summary>
    CostPerHour,

    /// <summary><c>calls</c>: calls in the window.</summary>
    Calls,

    /// <summary><c>error_rate</c>: failed calls as a percentage of calls.</summary>
    ErrorRate,

    /// <summary><c>p95_latency_ms</c>: the 95th percentile of latency, in milliseconds.</summary>
    LatencyP95,

    /// <summary><c>tokens_per_call</c>: prompt and completion tokens per call.</summary>
    TokensPerCall,

    /// <summary><c>unpriced_calls</c>: calls no price was found for.</summary>
    UnpricedCalls,

    /// <summary>
    /// <c>anomaly_score</c>: the highest score, from 0 to 1, of the anomalies the hourly scan stored for the rule's scope in
    /// its window (0 when there are none); not a rollup value, so <see cref="RuleMetrics.Value"/> has none.
    /// </summary>
    AnomalyScore,
}

/// <summary>The metrics' API names, and their values over a window's merged rollup row.</summary>
public static class RuleMetrics
{
    /// <summary>Each metric by the name the API uses.</summary>
    public static IReadOnlyDictionary<string, RuleMetric> Names { get; } = new Dictionary<string, RuleMetric>(StringComparer.Ordinal)
    {
        ["cost_per_hour"] = RuleMetric.CostPerHour,
        ["calls"] = RuleMetric.Calls,
        ["error_rate"] = RuleMetric.ErrorRate,
        ["p95_latency_ms"] = RuleMetric.LatencyP95,
        ["tokens_per_call"] = RuleMetric.TokensPerCall,
        ["unpriced_calls"] = RuleMetric.UnpricedCalls,
        ["anomaly_score"] = RuleMetric.AnomalyScore,
    };

    /// <summary>The API name of <paramref name="metric"/>.</summary>
    public static string NameOf(RuleMetric metric) => Names.First(n => n.Value == metric).Key;

    /// <summary>How a value of <paramref name="metric"/> reads, e.g. <c>$12.50/h</c> or <c>4.2 %</c>.</summary>
    public static string Format(RuleMetric metric, decimal value) => metric switch
    {
        RuleMetric.CostPerHour => FormattableString.Invariant($"${value:#,0.00##}/h"),
        RuleMetric.ErrorRate => FormattableString.Invariant($"{value:0.##} %"),
        RuleMetric.LatencyP95 => FormattableString.Invariant($"{value:#,0} ms"),
        RuleMetric.TokensPerCall => FormattableString.Invariant($"{value:#,0} tokens/call"),
        RuleMetric.AnomalyScore => FormattableString.Invariant($"{value:0.00}"),
        _ => FormattableString.Invariant($"{value:#,0}"),
    };

    /// <summary>
    /// The value of <paramref name="metric"/> over a window of <paramref name="hours"/> whose rows merged into
    /// <paramref name="window"/>; null when the ratios (error rate, latency, tokens per call) rest on fewer than
    /// <paramref name="minCalls"/> calls, which would say nothing.
    /// </summary>
    public static decimal? Value(RuleMetric metric, RollupRow window, int hours, int minCalls)
    {
        ArgumentNullException.ThrowIfNull(window);
        var enough = window.Calls >= Math.Max(1, minCalls);
        return metric switch
        {
            RuleMetric.CostPerHour => Math.Round(window.CostUsd / hours, 6, MidpointRounding.AwayFromZero),
            RuleMetric.Calls => window.Calls,
            RuleMetric.UnpricedCalls => window.UnpricedCalls,
            RuleMetric.ErrorRate when enough => Math.Round(window.Errors * 100m / window.Calls, 4, MidpointRounding.AwayFromZero),
            RuleMetric.TokensPerCall when enough => Math.Round((decimal)(window.InputTokens + window.OutputTokens) / window.Calls, 2, MidpointRounding.AwayFromZero),
            RuleMetric.LatencyP95 when enough && window.Latency.Count >= minCalls => (decimal)Math.Round(window.Latency.Quantile(0.95), 2),
            _ => null,
        };
    }
}
