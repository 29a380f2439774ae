using TokenTally.Core.Alerts;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>Sends a notification to one kind of channel, once. Retries belong to <see cref="ChannelDelivery"/>.</summary>
public interface IAlertChannelSender
{
    ChannelKind Kind { get; }

    /// <summary>
    /// One attempt. Failures come back as a <see cref="DeliveryAttempt"/>, not as exceptions; only cancellation through
    /// <paramref name="cancellationToken"/> throws.
    /// </summary>
    Task<DeliveryAttempt> SendAsync(AlertChannel channel, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken);
}
