using Microsoft.Extensions.Options;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>
/// Delivers one notification to several channels at once, each on its own: a channel that fails, hangs or throws never
/// delays or blocks another. Transient failures are retried with exponential backoff on the injected clock; the result
/// is one <see cref="DeliveryRecord"/> per channel (persisting them is the caller's business).
/// </summary>
public sealed partial class ChannelDelivery(
    IEnumerable<IAlertChannelSender> senders,
    IOptions<AlertChannelOptions> options,
    TimeProvider time,
    ILogger<ChannelDelivery> logger)
{
    private readonly Dictionary<ChannelKind, IAlertChannelSender> _senders = senders.ToDictionary(s => s.Kind);
    private readonly AlertChannelOptions _options = options.Value;

    public async Task<IReadOnlyList<DeliveryRecord>> DeliverAsync(
        IReadOnlyList<AlertChannel> channels, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(notification);
        return await Task.WhenAll(channels.Select(channel => DeliverToAsync(channel, secrets, notification, cancellationToken)));
    }

    private async Task<DeliveryRecord> DeliverToAsync(AlertChannel channel, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken)
    {
        // Start every channel on its own task, so a sender that blocks before its first await cannot hold up the others.
        await Task.Yield();
        var first = time.GetUtcNow();
        var attempts = 0;
        while (true)
        {
            attempts++;
            var attempt = await AttemptAsync(channel, secrets, notification, cancellationToken);
            if (attempt.Result == AttemptResult.Delivered)
            {
                LogDelivered(logger, channel.Id, channel.Kind, attempts);
                return Record(DeliveryOutcome.Delivered, null, attempt.Receipt);
            }

            var error = SecretScrubber.Scrub(attempt.Error ?? "failed", secrets);
            if (attempt.Result == AttemptResult.Permanent)
            {
                LogFailed(logger, channel.Id, channel.Kind, attempts, error);
                return Record(DeliveryOutcome.Failed, error, null);
            }

            if (attempts >= _options.MaxAttempts)
            {
                LogFailed(logger, channel.Id, channel.Kind, attempts, error);
                return Record(DeliveryOutcome.Failed, $"{error} (gave up after {attempts} attempts)", null);
            }

            if (RetrySchedule.DelayAfter(attempts, attempt.RetryAfter, _options) is not { } delay)
            {
                error = $"{error}; the receiver asked to wait {attempt.RetryAfter}, longer than {AlertChannelOptions.Section}:MaxRetryDelay ({_options.MaxRetryDelay})";
                LogFailed(logger, channel.Id, channel.Kind, attempts, error);
                return Record(DeliveryOutcome.Failed, error, null);
            }

            LogRetrying(logger, channel.Id, channel.Kind, attempts, error, delay);
            await Task.Delay(delay, time, cancellationToken);
        }

        DeliveryRecord Record(DeliveryOutcome outcome, string? error, string? receipt)
            => new(channel.Id, channel.Kind, notification.IdempotencyId, outcome, attempts, error, receipt, first, time.GetUtcNow());
    }

    private async Task<DeliveryAttempt> AttemptAsync(AlertChannel channel, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken)
    {
        if (!_senders.TryGetValue(channel.Kind, out var sender))
        {
            return DeliveryAttempt.Permanent($"No sender is registered for {channel.Kind} channels.");
        }

        // The attempt's timeout runs on real time: it bounds real I/O, whatever clock the backoff uses.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.AttemptTimeout);
        try
        {
            return await sender.SendAsync(channel, secrets, notification, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DeliveryAttempt.Transient($"no answer within {_options.AttemptTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A sender bug must not take the other channels down; the exception's type is reported, its text scrubbed.
            return DeliveryAttempt.Permanent($"{e.GetType().Name}: {SecretScrubber.Scrub(e.Message, secrets)}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert delivered to channel {ChannelId} ({Kind}) after {Attempts} attempt(s)")]
    private static partial void LogDelivered(ILogger logger, string channelId, ChannelKind kind, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert delivery to channel {ChannelId} ({Kind}) failed at attempt {Attempt}: {Error}; retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string channelId, ChannelKind kind, int attempt, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert delivery to channel {ChannelId} ({Kind}) failed after {Attempts} attempt(s): {Error}")]
    private static partial void LogFailed(ILogger logger, string channelId, ChannelKind kind, int attempts, string error);
}
