using System.Security.Cryptography;
using System.Text;
using TokenTally.Core.Rollups;

namespace TokenTally.Core.Anomalies.Slices;

/// <summary>What a series measures per hour, computed from its hour's rollup rows.</summary>
public enum SeriesMetric
{
    /// <summary><c>cost</c>: the hour's cost, in USD.</summary>
    Cost,

    /// <summary><c>calls</c>: the hour's calls.</summary>
    Calls,

    /// <summary><c>error_rate</c>: failed calls as a percentage of the hour's calls.</summary>
    ErrorRate,

    /// <summary><c>p95_latency_ms</c>: the hour's 95th percentile of latency, in milliseconds.</summary>
    LatencyP95,

    /// <summary><c>tokens_per_call</c>: prompt and completion tokens per call.</summary>
    TokensPerCall,
}

/// <summary>
/// One hourly series of a tenant: a metric over the whole tenant, or the cost of one value of a dimension (a slice such
/// as <c>model=claude-opus-4-1</c>). Its <see cref="Text"/> (<c>cost|model=claude-opus-4-1</c>) names it in the API and in
/// anomaly ids.
/// </summary>
/// <param name="Metric">What is measured.</param>
/// <param name="Dimension">The slice's dimension; null for the whole tenant.</param>
/// <param name="Value">The slice's value; null for the whole tenant.</param>
public sealed record SeriesKey(SeriesMetric Metric, Dimension? Dimension = null, string? Value = null)
{
    /// <summary>The slice as an alert scope is written: <c>tenant</c>, or <c>dimension=value</c>.</summary>
    public string Slice => Dimension is { } dimension ? $"{DimensionName(dimension)}={Value}" : "tenant";

    /// <summary>The series as one line: <c>metric|slice</c>.</summary>
    public string Text => $"{MetricName(Metric)}|{Slice}";

    /// <summary>Each metric by the name the API uses.</summary>
    public static IReadOnlyDictionary<string, SeriesMetric> MetricNames { get; } = new Dictionary<string, SeriesMetric>(StringComparer.Ordinal)
    {
        ["cost"] = SeriesMetric.Cost,
        ["calls"] = SeriesMetric.Calls,
        ["error_rate"] = SeriesMetric.ErrorRate,
        ["p95_latency_ms"] = SeriesMetric.LatencyP95,
        ["tokens_per_call"] = SeriesMetric.TokensPerCall,
    };

    /// <summary>The API name of <paramref name="metric"/>.</summary>
    public static string MetricName(SeriesMetric metric) => MetricNames.First(n => n.Value == metric).Key;

    /// <summary>A dimension's API name, as budgets and alert scopes write it (<c>model</c>, <c>service</c>, …).</summary>
    public static string DimensionName(Dimension dimension) => dimension.ToString().ToLowerInvariant();

    /// <summary>
    /// The id of the anomaly of this series at <paramref name="hour"/> in <paramref name="tenant"/>: 16 lower-case hex
    /// digits of SHA-256, the same on every scan, so a rescan overwrites what an earlier one stored.
    /// </summary>
    public string AnomalyId(string tenant, DateTimeOffset hour) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenant}/{Text}/{TimeBuckets.HourKey(hour)}")).AsSpan(0, 8));
}
