using TokenTally.Storage.Queues;

namespace TokenTally.Storage.InProcess;

/// <summary>
/// <see cref="IMessageQueue"/> in memory with Azure Storage Queue semantics, for local mode: a
/// received message is hidden for its visibility timeout and then comes back with a higher dequeue
/// count and a new receipt; a receipt is good until the message is received again; messages expire
/// after <see cref="QueueMessageLimits.TimeToLive"/>. All times come from the injected clock.
/// </summary>
public sealed class InProcessMessageQueue(TimeProvider timeProvider) : IMessageQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, QueueState> _queues = new(StringComparer.Ordinal);
    private long _sequence;

    public Task SendAsync(string queue, string body, TimeSpan? initialDelay, CancellationToken cancellationToken)
    {
        QueueNames.Validate(queue);
        QueueMessageLimits.ValidateSend(body, initialDelay);
        cancellationToken.ThrowIfCancellationRequested();

        TaskCompletionSource signal;
        lock (_gate)
        {
            var state = State(queue);
            var now = timeProvider.GetUtcNow();
            state.Messages.Add(new StoredMessage(Guid.NewGuid().ToString(), body, ++_sequence, now, now + QueueMessageLimits.TimeToLive)
            {
                NextVisibleAt = now + (initialDelay ?? TimeSpan.Zero),
            });
            signal = state.Signal;
            state.Signal = NewSignal();
        }

        signal.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        QueueNames.Validate(queue);
        QueueMessageLimits.ValidateReceive(maxMessages, visibilityTimeout);
        cancellationToken.ThrowIfCancellationRequested();

        lock (_gate)
        {
            var state = State(queue);
            var now = timeProvider.GetUtcNow();
            state.RemoveExpired(now);
            var received = state.Messages
                .Where(m => m.NextVisibleAt <= now)
                .OrderBy(m => m.NextVisibleAt)
                .ThenBy(m => m.Sequence)
                .Take(maxMessages)
                .ToList();
            foreach (var message in received)
            {
                message.DequeueCount++;
                message.Receipt = Guid.NewGuid().ToString("N");
                message.NextVisibleAt = Min(now + visibilityTimeout, message.ExpiresAt);
            }

            return Task.FromResult<IReadOnlyList<QueueMessage>>(received.Select(m => m.ToMessage(queue)).ToList());
        }
    }

    public Task<bool> CompleteAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_queues.TryGetValue(message.Queue, out var state))
            {
                return Task.FromResult(false);
            }

            state.RemoveExpired(timeProvider.GetUtcNow());
            var removed = state.Messages.RemoveAll(m => m.Id == message.Id && m.DequeueCount > 0 && m.Receipt == message.Receipt) > 0;
            return Task.FromResult(removed);
        }
    }

    public Task<int> CountAsync(string queue, CancellationToken cancellationToken)
    {
        QueueNames.Validate(queue);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_queues.TryGetValue(queue, out var state))
            {
                return Task.FromResult(0);
            }

            state.RemoveExpired(timeProvider.GetUtcNow());
            return Task.FromResult(state.Messages.Count);
        }
    }

    /// <summary>
    /// Completes when a message may be available in <paramref name="queue"/>: one is visible now, one
    /// is sent, or a hidden one's visibility timeout or initial delay passes. Wake-ups can be spurious
    /// (another consumer may take the message first), so callers receive and wait again in a loop.
    /// </summary>
    public async Task WaitForMessageAsync(string queue, CancellationToken cancellationToken)
    {
        QueueNames.Validate(queue);
        Task signal;
        TimeSpan wait;
        lock (_gate)
        {
            var state = State(queue);
            var now = timeProvider.GetUtcNow();
            state.RemoveExpired(now);
            if (state.Messages.Count == 0)
            {
                wait = Timeout.InfiniteTimeSpan;
            }
            else
            {
                var next = state.Messages.Min(m => m.NextVisibleAt);
                if (next <= now)
                {
                    return;
                }

                wait = next - now;
            }

            signal = state.Signal.Task;
        }

        // Either the send signal or the timeout (on the injected clock) ends the wait; only cancellation throws.
        await signal.WaitAsync(wait, timeProvider, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private QueueState State(string queue)
    {
        if (!_queues.TryGetValue(queue, out var state))
        {
            state = new QueueState();
            _queues.Add(queue, state);
        }

        return state;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class QueueState
    {
        public List<StoredMessage> Messages { get; } = [];

        public TaskCompletionSource Signal { get; set; } = NewSignal();

        public void RemoveExpired(DateTimeOffset now) => Messages.RemoveAll(m => m.ExpiresAt <= now);
    }

    private sealed class StoredMessage(string id, string body, long sequence, DateTimeOffset insertedAt, DateTimeOffset expiresAt)
    {
        public string Id { get; } = id;

        public long Sequence { get; } = sequence;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public DateTimeOffset NextVisibleAt { get; set; }

        public long DequeueCount { get; set; }

        public string Receipt { get; set; } = "";

        public QueueMessage ToMessage(string queue) =>
            new(queue, Id, body, Receipt, DequeueCount, insertedAt, ExpiresAt, NextVisibleAt);
    }
}
