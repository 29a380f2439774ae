using System.Globalization;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Application.Forecasts;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Budgets;

/// <summary>
/// Renders budget alerts (threshold and forecast rule): what crossed, the spend, the threshold, the period and the
/// projection (the stored forecast of the budget's scope for the alert's period, with its 80 % interval), to the budget's channels.
/// </summary>
public sealed class BudgetAlertRenderer(BudgetStore budgets, ForecastStore forecasts, IOptions<AlertChannelOptions> options) : IAlertRenderer
{
    private const string ProjectionUnavailable = "no forecast yet for this period";

    public bool Handles(string ruleId) => BudgetChecks.BudgetIdOf(ruleId) is not null;

    public async Task<IReadOnlyList<RenderedAlert>?> RenderAsync(string tenant, Alert alert, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(transitions);
        if (await budgets.GetAsync(tenant, BudgetChecks.BudgetIdOf(alert.Key.RuleId)!, cancellationToken) is not { } budget)
        {
            return null;
        }

        var forecast = (await forecasts.GetAsync(tenant, ForecastStore.BudgetSeries(budget.Budget.Id), cancellationToken))?.Forecast;
        return transitions.Select(t => new RenderedAlert(Render(budget.Budget, alert, t, forecast), budget.Budget.Channels)).ToList();
    }

    /// <summary>One transition of a budget alert as a message: what crossed, the spend, the threshold, the period, the projection.</summary>
    public AlertNotification Render(BudgetDocument budget, Alert alert, AlertTransition transition, ForecastDocument? forecast = null)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(transition);
        var threshold = Percent(alert.Key.Threshold);
        var value = Percent(transition.Value);
        var spend = Math.Round(transition.Value * budget.AmountUsd / 100m, 2, MidpointRounding.AwayFromZero);
        var projected = BudgetChecks.IsForecastRule(alert.Key.RuleId);
        var title = (projected, transition.Kind == AlertNotificationKind.Resolved) switch
        {
            (true, true) => $"Budget '{budget.Name}' no longer projected to exceed its amount ({value} % projected)",
            (true, false) => $"Budget '{budget.Name}' projected to reach {value} % by the period's end (forecast rule)",
            (false, true) => $"Budget '{budget.Name}' back under {threshold} % ({value} %)",
            _ => $"Budget '{budget.Name}' at {value} % (threshold {threshold} %)",
        };
        var summary = projected ? transition.Kind switch
        {
            AlertNotificationKind.Fired => $"The spend of budget '{budget.Name}' is projected to reach {Usd(spend)} by the period's end, over its amount of {Usd(budget.AmountUsd)}.",
            AlertNotificationKind.Reopened => $"The spend of budget '{budget.Name}' is projected to exceed {Usd(budget.AmountUsd)} by the period's end again.",
            AlertNotificationKind.Renotify => $"The spend of budget '{budget.Name}' is still projected to exceed {Usd(budget.AmountUsd)} by the period's end, and nobody has acknowledged it.",
            _ => $"The spend of budget '{budget.Name}' is no longer projected to exceed {Usd(budget.AmountUsd)} by the period's end.",
        }
        : transition.Kind switch
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
                new(projected ? "Projected spend" : "Spend", $"{Usd(spend)} of {Usd(budget.AmountUsd)} ({value} %)"),
                new("Threshold", projected ? $"{threshold} % projected by the period's end" : $"{threshold} %"),
                new("Period", Period(budget, alert.Key.PeriodKey)),
                new("Projection", Projection(forecast, alert.Key.PeriodKey)),
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

    /// <summary>The stored projection of the alert's period: the expected total with its 80 % interval, and when it was made.</summary>
    private static string Projection(ForecastDocument? forecast, string periodKey)
    {
        if (forecast is null || BudgetChecks.PeriodKey(new(forecast.Period.Start, forecast.Period.End)) != periodKey)
        {
            return ProjectionUnavailable;
        }

        var total = forecast.Period.Total;
        return $"{Usd((decimal)total.Value)} by the period's end (80 % interval {Usd((decimal)total.Lower80)} to {Usd((decimal)total.Upper80)}), "
            + $"forecast as of {forecast.Origin.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC";
    }

    private static string Percent(decimal value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Usd(decimal value) => "$" + value.ToString("#,0.00", CultureInfo.InvariantCulture);
}
