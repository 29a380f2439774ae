using System.Globalization;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Application.Anomalies;
using TokenTally.Core.Alerts;
using TokenTally.Core.Alerts.Rules;

namespace TokenTally.Application.Alerts.Rules;

/// <summary>
/// Renders alert-rule alerts: the metric, its value and threshold, the window and the scope, to the rule's channels; for an
/// <c>anomaly_score</c> rule also the top anomaly's series, observed value, expected range and top contributors.
/// </summary>
public sealed class AlertRuleRenderer(AlertRuleStore rules, AnomalyStore anomalies, IOptions<AlertChannelOptions> options) : IAlertRenderer
{
    public bool Handles(string ruleId) => AlertRuleChecks.RuleIdOf(ruleId) is not null;

    public async Task<IReadOnlyList<RenderedAlert>?> RenderAsync(string tenant, Alert alert, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(transitions);
        if (await rules.GetAsync(tenant, AlertRuleChecks.RuleIdOf(alert.Key.RuleId)!, cancellationToken) is not { } stored)
        {
            return null;
        }

        var document = stored.Rule;
        var metric = RuleMetrics.Names[document.Metric];
        var link = new Uri(options.Value.DashboardUrl, $"api/v1/alerts?rule={Uri.EscapeDataString(alert.Key.RuleId)}");
        var anomaly = metric == RuleMetric.AnomalyScore
            ? await anomalies.TopInScopeAsync(tenant, document.ToRule().Scope, alert.LastHour.AddHours(1 - document.WindowHours), alert.LastHour.AddHours(1), cancellationToken)
            : null;
        return transitions.Select(t =>
        {
            var value = RuleMetrics.Format(metric, t.Value);
            var threshold = RuleMetrics.Format(metric, alert.Key.Threshold);
            var resolved = t.Kind == AlertNotificationKind.Resolved;
            var notification = new AlertNotification(
                t.IdempotencyId,
                resolved ? $"'{document.Name}' back to normal: {document.Metric} {value}" : $"'{document.Name}': {document.Metric} {value} (threshold {threshold})",
                resolved ? AlertSeverity.Info : alert.Severity,
                t.Kind switch
                {
                    AlertNotificationKind.Fired => $"{document.Metric} reached {threshold} over the last {Hours(document.WindowHours)}.",
                    AlertNotificationKind.Reopened => $"{document.Metric} is at or over {threshold} again over the last {Hours(document.WindowHours)}.",
                    AlertNotificationKind.Renotify => $"{document.Metric} is still at or over {threshold}, and nobody has acknowledged it.",
                    _ => $"{document.Metric} fell back under {threshold}.",
                },
                [
                    new("Scope", alert.Key.ScopeKey),
                    new("Metric", document.Metric),
                    new("Value", value),
                    new("Threshold", threshold),
                    new("Window", Hours(document.WindowHours) + " to " + alert.LastHour.AddHours(1).UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
                    .. anomaly is null || resolved ? [] : AnomalyFacts(anomaly),
                ],
                link,
                t.At);
            return new RenderedAlert(notification, document.Channels);
        }).ToList();
    }

    /// <summary>What the top anomaly was: its series and hour, observed value against the expected range, and who drove it.</summary>
    private static IEnumerable<AlertFact> AnomalyFacts(AnomalyDocument anomaly)
    {
        yield return new("Anomaly", $"{anomaly.Kind} on {anomaly.Series} at {anomaly.Hour.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} ({anomaly.Severity})");
        yield return new("Observed", anomaly.Observed.ToString("#,0.####", CultureInfo.InvariantCulture));
        yield return new("Expected range", FormattableString.Invariant($"{anomaly.Lower:#,0.####} to {anomaly.Upper:#,0.####} (expected {anomaly.Expected:#,0.####})"));
        if (anomaly.Contributors.Count > 0)
        {
            yield return new("Top contributors", string.Join(", ", anomaly.Contributors.OrderByDescending(c => c.ExcessUsd).Take(5)
                .Select(c => FormattableString.Invariant($"{c.Dimension}={c.Value} +${c.ExcessUsd:#,0.00} ({c.Share:P0})"))));
        }
    }

    private static string Hours(int hours) => hours == 1 ? "hour" : $"{hours} hours";
}
