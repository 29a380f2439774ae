using System.Globalization;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Budgets;

/// <summary>What one dispatch of a tenant's alert outbox did: how many notifications it took, and every channel's delivery.</summary>
public sealed record TenantDispatch(string Tenant, int Notifications, IReadOnlyList<DeliveryRecord> Deliveries);

/// <summary>
/// Sends a tenant's budget alert notifications waiting in the alert outbox: each rendered with its budget's facts, grouped
/// per channel (<see cref="AlertDigest"/>: one message per channel per dispatch), delivered to the budget's channels, then
/// taken out of the outbox. A failed delivery (after the channel's own retries) is recorded in the result and does not stop
/// the other channels or fail the dispatch; its notification is not sent again by a later run.
/// </summary>
/// <remarks>
/// Idempotent as far as a sender can be: the outbox is written with the alert's state, and emptied only after the send. A
/// dispatch that crashes between the two (or an activity retried by Durable) sends the same notifications again with the
/// same idempotency ids — a webhook's <c>webhook-id</c>, an email's message id — so receivers drop the repeat. A digest's
/// id is derived from the ids it holds, so it is the same again as long as no new notification joined the outbox meanwhile.
/// </remarks>
public sealed partial class BudgetAlertDispatch(
    AlertStore alerts,
    BudgetStore budgets,
    ChannelStore channels,
    IChannelSecretStore secrets,
    ChannelDelivery delivery,
    IOptions<AlertChannelOptions> options,
    ILogger<BudgetAlertDispatch> logger)
{
    public const string ProjectionUnavailable = "unavailable until forecasting";

    public async Task<TenantDispatch> DispatchAsync(string tenant, CancellationToken cancellationToken)
    {
        var pending = await alerts.WithOutboxAsync(tenant, cancellationToken);
        var routed = new List<ChannelNotification>();
        var taken = new List<(string AlertId, IReadOnlyList<string> Ids)>();
        var definitions = new Dictionary<string, BudgetDocument?>(StringComparer.Ordinal);
        foreach (var stored in pending)
        {
            // Other rules' alerts are dispatched by their own feature; they stay in the outbox.
            if (BudgetChecks.BudgetIdOf(stored.Alert.Key.RuleId) is not { } budgetId)
            {
                continue;
            }

            if (!definitions.TryGetValue(budgetId, out var budget))
            {
                definitions[budgetId] = budget = (await budgets.GetAsync(tenant, budgetId, cancellationToken))?.Budget;
            }

            if (budget is null)
            {
                LogBudgetGone(logger, tenant, budgetId, stored.Document.Outbox.Count);
            }
            else
            {
                foreach (var transition in stored.Document.Outbox)
                {
                    var notification = Render(budget, stored.Alert, transition);
                    routed.AddRange(budget.Channels.Select(channel => new ChannelNotification(channel, notification)));
                }
            }

            taken.Add((stored.Alert.Key.Id, stored.Document.Outbox.Select(t => t.IdempotencyId).ToList()));
        }

        var digests = AlertDigest.Compose(tenant, routed, options.Value.DashboardUrl);
        var deliveries = (await Task.WhenAll(digests.Select(digest => DeliverAsync(tenant, digest, cancellationToken)))).SelectMany(d => d).ToList();
        foreach (var (alertId, ids) in taken)
        {
            await alerts.MarkDispatchedAsync(tenant, alertId, ids, cancellationToken);
        }

        return new TenantDispatch(tenant, taken.Sum(t => t.Ids.Count), deliveries);
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

    private async Task<IReadOnlyList<DeliveryRecord>> DeliverAsync(string tenant, ChannelNotification digest, CancellationToken cancellationToken)
    {
        if (await channels.GetAsync(tenant, digest.ChannelId, cancellationToken) is not { } stored)
        {
            LogChannelGone(logger, tenant, digest.ChannelId);
            return [];
        }

        var channel = stored.Channel;
        var values = ChannelSecrets.None;
        foreach (var reference in ChannelSecretNames.Of(channel.Definition))
        {
            if (await secrets.GetAsync(tenant, channel.Id, ChannelStore.SecretNameOf(reference), cancellationToken) is { } value)
            {
                values = values.With(reference, value);
            }
        }

        return await delivery.DeliverAsync([channel.Definition], values, digest.Notification, cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget {BudgetId} of tenant {Tenant} is gone: {Count} notification(s) of its alerts are dropped")]
    private static partial void LogBudgetGone(ILogger logger, string tenant, string budgetId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {ChannelId} of tenant {Tenant} is gone: its alert digest is not sent")]
    private static partial void LogChannelGone(ILogger logger, string tenant, string channelId);
}
