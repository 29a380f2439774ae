using TokenTally.Application.Anomalies;
using TokenTally.Application.Rollups;
using TokenTally.Core.Alerts;
using TokenTally.Core.Alerts.Rules;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Alerts.Rules;

/// <summary>
/// The alert-rule checks of an hour run: for each hour the run recomputed (oldest first) and each rule of the tenant, the
/// rule's metric over its window ending with that hour, as an observation of the alert <c>rule:&lt;id&gt;</c> / scope /
/// <c>all</c> / threshold. Idempotent as the budget checks are: the alert store evaluates under a compare-and-swap, and only
/// an hour newer than any seen can raise.
/// </summary>
public sealed class AlertRuleChecks(AlertRuleStore rules, RollupStore rollups, AlertStore alerts, AnomalyStore anomalies, TimeProvider time)
{
    private const string RulePrefix = "rule:";

    /// <summary>A rule alert's period part: a rule has no periods, its alert lives on in episodes.</summary>
    public const string AllTime = "all";

    /// <summary>The alert rule id of a rule's alerts: <c>rule:&lt;id&gt;</c>.</summary>
    public static string RuleId(string ruleId) => RulePrefix + ruleId;

    /// <summary>The rule id of a rule alert; null for another kind.</summary>
    public static string? RuleIdOf(string alertRuleId) => alertRuleId.StartsWith(RulePrefix, StringComparison.Ordinal) ? alertRuleId[RulePrefix.Length..] : null;

    /// <summary>Checks every rule of the tenant at each of the hours, oldest first; returns how many alerts changed state with a notification.</summary>
    public async Task<int> CheckAsync(TenantHours work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var defined = (await rules.ListAsync(work.Tenant, cancellationToken)).Select(s => (Document: s.Rule, Rule: s.Rule.ToRule())).ToList();
        var transitions = 0;
        foreach (var hour in work.Hours.Distinct().Order())
        {
            foreach (var (document, rule) in defined)
            {
                if (await ValueAsync(work.Tenant, rule, hour, cancellationToken) is not { } value)
                {
                    continue;
                }

                var key = new AlertKey(RuleId(document.Id), AlertScopes.Of(document.Scope), AllTime, rule.Threshold);
                var evaluation = await alerts.EvaluateAsync(work.Tenant, new AlertObservation(key, rule.Severity, hour, value), AlertPolicy.Default, time.GetUtcNow(), cancellationToken);
                transitions += evaluation.Notifications.Count;
            }
        }

        return transitions;
    }

    /// <summary>
    /// The rule's metric over the <see cref="AlertRule.WindowHours"/> hours ending with <paramref name="hour"/>; null when a
    /// ratio has too few calls. An anomaly score is the highest of the stored anomalies in the window and scope, 0 without any.
    /// </summary>
    public async Task<decimal?> ValueAsync(string tenant, AlertRule rule, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var end = TimeBuckets.HourStart(hour).AddHours(1);
        if (rule.Metric == RuleMetric.AnomalyScore)
        {
            var top = await anomalies.TopInScopeAsync(tenant, rule.Scope, end.AddHours(-rule.WindowHours), end, cancellationToken);
            return top is null ? 0m : Math.Round((decimal)top.Score, 4, MidpointRounding.AwayFromZero);
        }

        var window = new RollupRow(Cube.Total, []);
        await foreach (var row in rollups.ReadAsync(tenant, rule.Scope.Cube, end.AddHours(-rule.WindowHours), end, cancellationToken))
        {
            if (rule.Scope.Admits(row))
            {
                window.Merge(row);
            }
        }

        return RuleMetrics.Value(rule.Metric, window, rule.WindowHours, rule.MinCalls);
    }
}
