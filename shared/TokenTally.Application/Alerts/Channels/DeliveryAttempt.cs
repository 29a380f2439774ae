namespace TokenTally.Application.Alerts.Channels;

public enum AttemptResult
{
    Delivered,

    /// <summary>Worth retrying: 5xx, 408, 429, a refused or dropped connection, a timeout.</summary>
    Transient,

    /// <summary>Retrying cannot help: a rejected request, bad credentials, a missing secret.</summary>
    Permanent,
}

/// <summary>What one attempt to send to one channel came to.</summary>
/// <param name="Result">Delivered, worth retrying, or not.</param>
/// <param name="Error">What went wrong, in words a user can act on; never a secret or a secret URL.</param>
/// <param name="RetryAfter">How long the receiver asked us to wait (Retry-After), if it did.</param>
/// <param name="Receipt">The receiver's id for the accepted message, if it gives one (ACS's operation id).</param>
public sealed record DeliveryAttempt(AttemptResult Result, string? Error = null, TimeSpan? RetryAfter = null, string? Receipt = null)
{
    public static DeliveryAttempt Delivered(string? receipt = null) => new(AttemptResult.Delivered, Receipt: receipt);

    public static DeliveryAttempt Transient(string error, TimeSpan? retryAfter = null) => new(AttemptResult.Transient, error, retryAfter);

    public static DeliveryAttempt Permanent(string error) => new(AttemptResult.Permanent, error);
}
