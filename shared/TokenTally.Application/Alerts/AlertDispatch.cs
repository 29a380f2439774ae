using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Alerts;

/// <summary>A dispatch of a tenant's alert outbox by one hour run (its instance id): every retry of its activity is the same dispatch.</summary>
public sealed record DispatchRequest(string Tenant, string RunId);

/// <summary>What one dispatch of a tenant's alert outbox did: how many notifications it took, and every channel's delivery.</summary>
public sealed record TenantDispatch(string Tenant, int Notifications, IReadOnlyList<DeliveryRecord> Deliveries);

/// <summary>One transition of an alert as a message, and the channels it goes to.</summary>
public sealed record RenderedAlert(AlertNotification Notification, IReadOnlyList<string> Channels);

/// <summary>
/// What a feature that raises alerts (budgets, alert rules) renders of its alerts' transitions: the facts people need, and
/// where they go. Each such feature registers one.
/// </summary>
public interface IAlertRenderer
{
    /// <summary>Whether the alerts of <paramref name="ruleId"/> are this feature's.</summary>
    bool Handles(string ruleId);

    /// <summary>The messages of <paramref name="alert"/>'s <paramref name="transitions"/>; null when its rule is gone (they are dropped).</summary>
    Task<IReadOnlyList<RenderedAlert>?> RenderAsync(string tenant, Alert alert, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken);
}

/// <summary>
/// Sends a tenant's alert notifications waiting in the alert outbox: each rendered by its rule's feature, grouped per
/// channel (<see cref="AlertDigest"/>: one message per channel per dispatch), delivered, then taken out of the outbox. A
/// failed delivery (after the channel's own retries) is recorded in the result and does not stop the other channels or
/// fail the dispatch; its notification is not sent again by a later run. Each alert's outbox is claimed before it is sent
/// (a <see cref="DispatchLease"/> of <see cref="LeaseDuration"/>), so of two runs dispatching side by side only one sends.
/// </summary>
/// <remarks>
/// Idempotent as far as a sender can be: the outbox is written with the alert's state, and emptied only after the send. A
/// dispatch that crashes between the two (or an activity retried by Durable) sends the same notifications again with the
/// same idempotency ids — a webhook's <c>webhook-id</c>, an email's message id — so receivers drop the repeat. A digest's
/// id is derived from the ids it holds, so it is the same again as long as no new notification joined the outbox meanwhile.
/// </remarks>
public sealed partial class AlertDispatch(
    AlertStore alerts,
    IEnumerable<IAlertRenderer> renderers,
    ChannelStore channels,
    IChannelSecretStore secrets,
    ChannelDelivery delivery,
    IOptions<AlertChannelOptions> options,
    TimeProvider time,
    ILogger<AlertDispatch> logger)
{
    /// <summary>
    /// How long a dispatch holds an outbox: longer than any send (each channel's attempts and waits), so a lease ends only
    /// when its dispatch crashed, and the next run then sends in its place.
    /// </summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(15);

    public async Task<TenantDispatch> DispatchAsync(DispatchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = request.Tenant;
        var pending = await alerts.WithOutboxAsync(tenant, cancellationToken);
        var routed = new List<ChannelNotification>();
        var taken = new List<(string AlertId, IReadOnlyList<string> Ids)>();
        foreach (var found in pending)
        {
            // An alert no feature renders stays in the outbox for the feature that will.
            if (renderers.FirstOrDefault(r => r.Handles(found.Alert.Key.RuleId)) is not { } renderer)
            {
                continue;
            }

            var now = time.GetUtcNow();
            if (await alerts.ClaimOutboxAsync(tenant, found.Alert.Key.Id, request.RunId, now, now + LeaseDuration, cancellationToken) is not { } stored)
            {
                continue;
            }

            var outbox = stored.Document.Outbox;
            if (await renderer.RenderAsync(tenant, stored.Alert, outbox, cancellationToken) is { } rendered)
            {
                routed.AddRange(rendered.SelectMany(r => r.Channels.Select(channel => new ChannelNotification(channel, r.Notification))));
            }
            else
            {
                LogRuleGone(logger, tenant, stored.Alert.Key.RuleId, outbox.Count);
            }

            taken.Add((stored.Alert.Key.Id, outbox.Select(t => t.IdempotencyId).ToList()));
        }

        var digests = AlertDigest.Compose(tenant, routed, options.Value.DashboardUrl);
        var deliveries = (await Task.WhenAll(digests.Select(digest => DeliverAsync(tenant, digest, cancellationToken)))).SelectMany(d => d).ToList();
        foreach (var (alertId, ids) in taken)
        {
            await alerts.MarkDispatchedAsync(tenant, alertId, ids, cancellationToken);
        }

        return new TenantDispatch(tenant, taken.Sum(t => t.Ids.Count), deliveries);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {RuleId} of tenant {Tenant} is gone: {Count} notification(s) of its alerts are dropped")]
    private static partial void LogRuleGone(ILogger logger, string tenant, string ruleId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {ChannelId} of tenant {Tenant} is gone: its alert digest is not sent")]
    private static partial void LogChannelGone(ILogger logger, string tenant, string channelId);
}
