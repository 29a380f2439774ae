using System.Text;

namespace TokenTally.Storage.Queues;

/// <summary>Azure Storage Queue limits, enforced by every adapter so local mode rejects what Azure would.</summary>
public static class QueueMessageLimits
{
    /// <summary>Most messages one receive returns (Get Messages' numofmessages).</summary>
    public const int MaxMessagesPerReceive = 32;

    /// <summary>Largest body in UTF-8 bytes: Azure's 64 KiB limit applies to the base64 text the Functions host expects.</summary>
    public const int MaxBodyBytes = 48 * 1024;

    /// <summary>How long a message lives in the queue before it expires unread.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromDays(7);

    /// <summary>Longest visibility timeout or initial delay.</summary>
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    public static void ValidateSend(string body, TimeSpan? initialDelay)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            throw new ArgumentException($"A queue message body may hold at most {MaxBodyBytes} UTF-8 bytes.", nameof(body));
        }

        if (initialDelay is { } delay && (delay < TimeSpan.Zero || delay >= TimeToLive))
        {
            throw new ArgumentOutOfRangeException(nameof(initialDelay), delay, "The initial delay must be at least zero and shorter than the message time-to-live (7 days).");
        }
    }

    public static void ValidateReceive(int maxMessages, TimeSpan visibilityTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerReceive);
        if (visibilityTimeout <= TimeSpan.Zero || visibilityTimeout > MaxVisibilityTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(visibilityTimeout), visibilityTimeout, "The visibility timeout must be positive and at most 7 days.");
        }
    }
}
