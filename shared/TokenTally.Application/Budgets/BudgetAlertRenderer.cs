using System.Globalization;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Budgets;

/// <summary>Renders budget alerts: what crossed, the spend, the threshold, the period and the projection, to the budget's channels.</summary>
public sealed class BudgetAlertRenderer(BudgetStore budgets, IOptions<AlertChannelOptions> options) : IAlertRenderer
{
    public const string ProjectionUnavailable = "unavailable until forecasting";

    public bool Handles(string ruleId) => BudgetChecks.BudgetIdOf(ruleId) is not null;

    public async Task<IReadOnlyList<RenderedAlert>?> RenderAsync(string tenant, Alert alert, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(transitions);
        if (await budgets.GetAsync(tenant, BudgetChecks.BudgetIdOf(alert.Key.RuleId)!, cancellationToken) is not { } budget)
        {
            return null;
        }

        return transitions.Select(t => new RenderedAlert(Render(budget.Budget, alert, t), budget.Budget.Channels)).ToList();
    }

    /// <summary>One transition of a budget alert as a message: what crossed, the spend, the threshold, the period, the projection.</summary>
    public AlertNotification Render(BudgetDocument budget, Alert alert, AlertTransition transition)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(transition);
        var threshold = Percent(alert.Key.Threshold);
        var value = Percent(transition.Value);
        var spend = Math.Round(transition.Value * budget.AmountUsd / 100m, 2, MidpointRounding.AwayFromZero);
        var title = transition.Kind == AlertNotificationKind.Resolved
            ? $"Budget '{budget.Name}' back under {threshold} % ({value} %)"
            : $"Budget '{budget.Name}' at {value} % (threshold {threshold} %)";
        var summary = transition.Kind switch
        {
            AlertNotificationKind.Fired => $"The spend of budget '{budget.Name}' reached {threshold} % of {Usd(budget.AmountUsd)} this period.",
            AlertNotificationKind.Reopened => $"The spend of budget '{budget.Name}' is over {threshold} % of {Usd(budget.AmountUsd)} again.",
            AlertNotificationKind.Renotify => $"The spend of budget '{budget.Name}' is still over {threshold} % of {Usd(budget.AmountUsd)}, and nobody has acknowledged it.",
            _ => $"The spend of budget '{budget.Name}' fell back under {threshold} % of {Usd(budget.AmountUsd)}.",
        };
        var link = new Uri(options.Value.DashboardUrl, $"api/v1/alerts?rule={Uri.EscapeDataString(alert.Key.RuleId)}");
        return new AlertNotification(
            transition.IdempotencyId,
            title,
            transition.Kind == AlertNotificationKind.Resolved ? AlertSeverity.Info : alert.Severity,
            summary,
            [
                new("Scope", alert.Key.ScopeKey),
                new("Spend", $"{Usd(spend)} of {Usd(budget.AmountUsd)} ({value} %)"),
                new("Threshold", $"{threshold} %"),
                new("Period", Period(budget, alert.Key.PeriodKey)),
                new("Projection", ProjectionUnavailable),
            ],
            link,
            transition.At);
    }

    private static string Period(BudgetDocument document, string periodKey)
    {
        var name = $"{document.Period.Kind}, {document.Period.TimeZone}";
        var period = document.ToBudget().Period;
        if (!DateTimeOffset.TryParse(periodKey, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start) || period.Containing(start) is not { } window)
        {
            return $"from {periodKey} ({name})";
        }

        var zone = period.Zone;
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(window.Start, zone).DateTime);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(window.End, zone).DateTime).AddDays(-1);
        return first == last
            ? $"{first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} ({name})"
            : $"{first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} to {last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} ({name})";
    }

    private static string Percent(decimal value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Usd(decimal value) => "$" + value.ToString("#,0.00", CultureInfo.InvariantCulture);
}
