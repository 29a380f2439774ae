namespace TokenTally.Application.Alerts.Channels;

/// <summary>Exponential backoff without jitter (each channel is its own receiver, so there is no herd to spread).</summary>
internal static class RetrySchedule
{
    /// <summary>
    /// The wait after failed attempt number <paramref name="failedAttempt"/> (1-based): the first delay doubled per
    /// earlier failure and capped, or the receiver's Retry-After when longer; null when Retry-After exceeds the cap.
    /// </summary>
    public static TimeSpan? DelayAfter(int failedAttempt, TimeSpan? retryAfter, AlertChannelOptions options)
    {
        var doubled = options.FirstRetryDelay * Math.Pow(2, Math.Min(failedAttempt - 1, 30));
        var backoff = doubled < options.MaxRetryDelay ? doubled : options.MaxRetryDelay;
        return retryAfter switch
        {
            null => backoff,
            { } asked when asked > options.MaxRetryDelay => null,
            { } asked => asked > backoff ? asked : backoff,
        };
    }
}
