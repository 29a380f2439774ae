namespace TokenTally.Storage.Queues;

/// <summary>A received message. <see cref="Receipt"/> proves the receiver still holds it.</summary>
public sealed record QueueMessage(
    string Queue,
    string Id,
    string Body,
    string Receipt,
    long DequeueCount,
    DateTimeOffset InsertedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset NextVisibleAt);

/// <summary>
/// The queue port, with Azure Storage Queue semantics: a received message is hidden for a
/// visibility timeout and comes back unless it is completed, so delivery is at least once.
/// </summary>
public interface IMessageQueue
{
    Task SendAsync(string queue, string body, TimeSpan? initialDelay, CancellationToken cancellationToken);

    Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken);

    /// <summary>Removes a message for good; false when the receipt is stale (the message reappeared or was completed).</summary>
    Task<bool> CompleteAsync(QueueMessage message, CancellationToken cancellationToken);

    /// <summary>Number of messages in the queue, visible or not (approximate on Azure).</summary>
    Task<int> CountAsync(string queue, CancellationToken cancellationToken);
}

public static class QueueNames
{
    /// <summary>Azure queue names: 3-63 characters, lower-case letters, digits and single dashes, starting and ending with a letter or digit.</summary>
    public static void Validate(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        var valid = queue.Length is >= 3 and <= 63
            && char.IsAsciiLetterOrDigit(queue[0]) && char.IsAsciiLetterOrDigit(queue[^1])
            && queue.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && !queue.Contains("--", StringComparison.Ordinal);
        if (!valid)
        {
            throw new ArgumentException($"Queue name '{queue}' is not a valid Azure Storage queue name.", nameof(queue));
        }
    }

    /// <summary>Where messages go after too many failed deliveries, as the Functions host names it.</summary>
    public static string PoisonOf(string queue) => queue + "-poison";
}
