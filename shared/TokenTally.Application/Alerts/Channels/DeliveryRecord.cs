namespace TokenTally.Application.Alerts.Channels;

public enum DeliveryOutcome
{
    Delivered,
    Failed,
}

/// <summary>How delivering one notification to one channel went, after all its attempts.</summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="Kind">The channel's kind.</param>
/// <param name="IdempotencyId">The notification's idempotency id.</param>
/// <param name="Outcome">Delivered, or failed for good.</param>
/// <param name="Attempts">Attempts made, the first included.</param>
/// <param name="LastError">The last attempt's error when <see cref="Outcome"/> is <see cref="DeliveryOutcome.Failed"/>; free of secrets.</param>
/// <param name="Receipt">The receiver's id for the message, when it gives one.</param>
/// <param name="FirstAttemptAt">When the first attempt started.</param>
/// <param name="CompletedAt">When the last attempt ended.</param>
public sealed record DeliveryRecord(
    string ChannelId,
    ChannelKind Kind,
    string IdempotencyId,
    DeliveryOutcome Outcome,
    int Attempts,
    string? LastError,
    string? Receipt,
    DateTimeOffset FirstAttemptAt,
    DateTimeOffset CompletedAt);
