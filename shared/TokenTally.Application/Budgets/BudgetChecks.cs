using System.Globalization;
using TokenTally.Application.Alerts;
using TokenTally.Application.Forecasts;
using TokenTally.Core.Alerts;
using TokenTally.Core.Budgets;

namespace TokenTally.Application.Budgets;

/// <summary>
/// The budget checks of an hour run: for each hour the run recomputed (oldest first, as the alert lifecycle requires), each
/// budget of the tenant and each of its thresholds, the spend so far in the period holding the hour as an observation of the
/// alert <c>budget:&lt;id&gt;</c> / scope / period start / threshold, evaluated with <see cref="AlertPolicy.Default"/>.
/// A budget with the forecast rule on is also checked at the hour its stored forecast is as of: the projected period-end
/// spend (the forecast's point, the expected total) as a percentage of the amount is an observation of the alert
/// <c>budget:&lt;id&gt;:forecast</c> / scope / period start / 100, which fires when the projection reaches the amount.
/// </summary>
/// <remarks>
/// Idempotent: the alert store evaluates under a compare-and-swap and the lifecycle raises only on an hour newer than any it
/// has seen, so a retried activity, a rerun or a backfill of an hour can resolve an alert but never raise it twice.
/// </remarks>
public sealed class BudgetChecks(BudgetStore budgets, BudgetSpend spend, ForecastStore forecasts, AlertStore alerts, TimeProvider time)
{
    /// <summary>The threshold of the forecast rule's alert: the projection reaching the whole amount.</summary>
    public const decimal ForecastThreshold = 100m;

    private const string RulePrefix = "budget:";
    private const string ForecastSuffix = ":forecast";

    /// <summary>The alert rule of a budget: <c>budget:&lt;id&gt;</c>.</summary>
    public static string RuleId(string budgetId) => RulePrefix + budgetId;

    /// <summary>The alert rule of a budget's forecast rule: <c>budget:&lt;id&gt;:forecast</c>.</summary>
    public static string ForecastRuleId(string budgetId) => RulePrefix + budgetId + ForecastSuffix;

    /// <summary>The budget id of a budget alert's rule (threshold or forecast); null for another rule.</summary>
    public static string? BudgetIdOf(string ruleId)
    {
        ArgumentNullException.ThrowIfNull(ruleId);
        if (!ruleId.StartsWith(RulePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ruleId[RulePrefix.Length..];
        return rest.EndsWith(ForecastSuffix, StringComparison.Ordinal) ? rest[..^ForecastSuffix.Length] : rest;
    }

    /// <summary>Whether a budget alert's rule is the forecast rule.</summary>
    public static bool IsForecastRule(string ruleId) => BudgetIdOf(ruleId) is not null && ruleId.EndsWith(ForecastSuffix, StringComparison.Ordinal);

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
        var projections = stored.Any(b => b.Budget.AlertOnForecast)
            ? (await forecasts.ListAsync(work.Tenant, cancellationToken)).ToDictionary(f => f.Forecast.Series, f => f.Forecast, StringComparer.Ordinal)
            : [];
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

                // The forecast is as of one hour: checked at that hour alone, it raises at most once, like the thresholds.
                if (budget.AlertOnForecast && projections.GetValueOrDefault(ForecastStore.BudgetSeries(id)) is { } forecast
                    && forecast.AsOfHour == reading.AsOfHour && forecast.Period.Projects(reading.Period))
                {
                    var projected = Math.Round((decimal)forecast.Period.Total.Value / budget.AmountUsd * 100m, 4, MidpointRounding.AwayFromZero);
                    var key = new AlertKey(ForecastRuleId(id), scope, PeriodKey(reading.Period), ForecastThreshold);
                    var observation = new AlertObservation(key, AlertSeverity.Warning, reading.AsOfHour, projected);
                    var evaluation = await alerts.EvaluateAsync(work.Tenant, observation, AlertPolicy.Default, time.GetUtcNow(), cancellationToken);
                    transitions += evaluation.Notifications.Count;
                }
            }
        }

        return transitions;
    }
}
