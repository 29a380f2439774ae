using System.Globalization;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Alerts;
using TokenTally.Core.Alerts.Rules;

namespace TokenTally.Application.Alerts.Rules;

/// <summary>Renders alert-rule alerts: the metric, its value and threshold, the window and the scope, to the rule's channels.</summary>
public sealed class AlertRuleRenderer(AlertRuleStore rules, IOptions<AlertChannelOptions> options) : IAlertRenderer
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
                ],
                link,
                t.At);
            return new RenderedAlert(notification, document.Channels);
        }).ToList();
    }

    private static string Hours(int hours) => hours == 1 ? "hour" : $"{hours} hours";
}
