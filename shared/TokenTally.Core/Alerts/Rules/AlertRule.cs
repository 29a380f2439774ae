using System.Globalization;
using TokenTally.Core.Budgets;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Alerts.Rules;

/// <summary>
/// A threshold rule on a rollup metric: it fires when <see cref="Metric"/> over the last <see cref="WindowHours"/> hours
/// of <see cref="Scope"/> reaches <see cref="Threshold"/>, and resolves with the alert lifecycle's hysteresis.
/// </summary>
/// <param name="Name">What people call it (1-100 characters).</param>
/// <param name="Metric">What it watches.</param>
/// <param name="Scope">The calls it watches: the tenant, or a filter (as a budget's).</param>
/// <param name="WindowHours">The hours each value covers, the checked hour last (1-168).</param>
/// <param name="Threshold">The value that raises the alert, in the metric's unit; more than 0.</param>
/// <param name="Severity">How urgent its alerts are.</param>
/// <param name="MinCalls">The fewest calls a ratio (error rate, latency, tokens per call) is computed from (1-100,000).</param>
/// <param name="Channels">The ids of the tenant's channels alerts go to.</param>
public sealed record AlertRule(string Name, RuleMetric Metric, BudgetScope Scope, int WindowHours, decimal Threshold, AlertSeverity Severity, int MinCalls, IReadOnlyList<string> Channels);

/// <summary>A rule as sent, before validation: every field optional, names as text.</summary>
public sealed record AlertRuleDraft(
    string? Name,
    string? Metric,
    IReadOnlyDictionary<string, IReadOnlyList<string>?>? Scope,
    int? WindowHours,
    decimal? Threshold,
    string? Severity,
    int? MinCalls,
    IReadOnlyList<string>? Channels);

/// <summary>
/// Checks an <see cref="AlertRuleDraft"/>, collecting every error, with the budget validator's codes and rules for the
/// scope and the channels. Defaults: a one-hour window, severity warning, 20 calls for a ratio, no channels.
/// </summary>
public static class AlertRuleValidator
{
    /// <summary>The longest window: a week.</summary>
    public const int MaxWindowHours = 168;

    /// <summary>The fewest calls a ratio is computed from when a rule does not say.</summary>
    public const int DefaultMinCalls = 20;

    /// <summary>Validates <paramref name="draft"/>, applying the defaults.</summary>
    public static (AlertRule? Rule, IReadOnlyList<FieldError> Errors) Validate(AlertRuleDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new List<FieldError>();
        var name = draft.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > BudgetValidator.MaxNameLength)
        {
            errors.Add(new FieldError("name", name is null or "" ? "required" : "length", $"name is required, at most {BudgetValidator.MaxNameLength} characters."));
        }

        RuleMetric metric = default;
        if (draft.Metric is null || !RuleMetrics.Names.TryGetValue(draft.Metric, out metric))
        {
            errors.Add(new FieldError("metric", draft.Metric is null ? "required" : "enum", $"metric is one of {string.Join(", ", RuleMetrics.Names.Keys)}."));
        }

        var scope = BudgetValidator.ValidateScope(draft.Scope, errors);
        var window = draft.WindowHours ?? 1;
        if (window is < 1 or > MaxWindowHours)
        {
            errors.Add(new FieldError("windowHours", "range", $"windowHours is 1-{MaxWindowHours}, not {window}."));
        }

        if (draft.Threshold is not { } threshold)
        {
            errors.Add(new FieldError("threshold", "required", "threshold is required: the value, in the metric's unit, that raises the alert."));
        }
        else if (threshold <= 0)
        {
            errors.Add(new FieldError("threshold", "range", $"threshold must be more than 0, not {threshold.ToString(CultureInfo.InvariantCulture)}."));
        }
        else if (metric == RuleMetric.AnomalyScore && threshold > 1)
        {
            errors.Add(new FieldError("threshold", "range", $"an anomaly_score threshold is a score from 0 to 1, not {threshold.ToString(CultureInfo.InvariantCulture)}."));
        }

        AlertSeverity severity = AlertSeverity.Warning;
        if (draft.Severity is { } text && !TrySeverity(text, out severity))
        {
            errors.Add(new FieldError("severity", "enum", "severity is info, warning or critical."));
        }

        var minCalls = draft.MinCalls ?? DefaultMinCalls;
        if (minCalls is < 1 or > 100_000)
        {
            errors.Add(new FieldError("minCalls", "range", $"minCalls is 1-100000, not {minCalls}."));
        }

        var channels = draft.Channels ?? [];
        BudgetValidator.ValidateChannels(channels, errors);
        return errors.Count > 0 ? (null, errors) : (new AlertRule(name!, metric, scope!, window, draft.Threshold!.Value, severity, minCalls, channels.ToList()), []);
    }

    /// <summary>A severity by its API name: info, warning, critical.</summary>
    public static bool TrySeverity(string text, out AlertSeverity severity)
    {
        severity = default;
        return text is "info" or "warning" or "critical" && Enum.TryParse(text, ignoreCase: true, out severity);
    }
}
