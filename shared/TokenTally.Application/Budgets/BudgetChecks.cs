using System.Globalization;
using TokenTally.Application.Alerts;
using TokenTally.Core.Alerts;
using TokenTally.Core.Budgets;

namespace TokenTally.Application.Budgets;

/// <summary>
/// The budget checks of an hour run: for each hour the run recomputed (oldest first, as the alert lifecycle requires), each
/// budget of the tenant and each of its thresholds, the spend so far in the period holding the hour as an observation of the
/// alert <c>budget:&lt;id&gt;</c> / scope / period start / threshold, evaluated with <see cref="AlertPolicy.Default"/>.
/// </summary>
/// <remarks>
/// Idempotent: the alert store evaluates under a compare-and-swap and the lifecycle raises only on an hour newer than any it
/// has seen, so a retried activity, a rerun or a backfill of an hour can resolve an alert but never raise it twice.
/// </remarks>
public sealed class BudgetChecks(BudgetStore budgets, BudgetSpend spend, AlertStore alerts, TimeProvider time)
{
    private const string RulePrefix = "budget:";

    /// <summary>The alert rule of a budget: <c>budget:&lt;id&gt;</c>.</summary>
    public static string RuleId(string budgetId) => RulePrefix + budgetId;

    /// <summary>The budget id of a budget alert's rule; null for another rule.</summary>
    public static string? BudgetIdOf(string ruleId) => ruleId.StartsWith(RulePrefix, StringComparison.Ordinal) ? ruleId[RulePrefix.Length..] : null;

    /// <summary>The period part of a budget alert's key: the period's start in UTC.</summary>
    public static string PeriodKey(PeriodWindow period) => period.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>How urgent crossing a threshold is: 100 % and over critical, 80 % and over a warning, below that information.</summary>
    public static AlertSeverity SeverityOf(decimal threshold) => threshold switch
    {
        >= 100m => AlertSeverity.Critical,
        >= 80m => AlertSeverity.Warning,
        _ => AlertSeverity.Info,
    };

    /// <summary>Checks every budget of the tenant at each of the hours, oldest first; returns how many alerts changed state with a notification.</summary>
    public async Task<int> CheckAsync(TenantHours work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var stored = await budgets.ListAsync(work.Tenant, cancellationToken);
        if (stored.Count == 0)
        {
            return 0;
        }

        var defined = stored.Select(b => (b.Budget.Id, Budget: b.Budget.ToBudget(), Scope: AlertScopes.Of(b.Budget.Scope))).ToList();
        var transitions = 0;
        foreach (var hour in work.Hours.Distinct().Order())
        {
            foreach (var (id, budget, scope) in defined)
            {
                if (await spend.AsOfAsync(work.Tenant, budget, hour, cancellationToken) is not { } reading)
                {
                    continue;
                }

                foreach (var threshold in budget.Thresholds)
                {
                    var key = new AlertKey(RuleId(id), scope, PeriodKey(reading.Period), threshold);
                    var observation = new AlertObservation(key, SeverityOf(threshold), reading.AsOfHour, reading.Percent);
                    var evaluation = await alerts.EvaluateAsync(work.Tenant, observation, AlertPolicy.Default, time.GetUtcNow(), cancellationToken);
                    transitions += evaluation.Notifications.Count;
                }
            }
        }

        return transitions;
    }
}
