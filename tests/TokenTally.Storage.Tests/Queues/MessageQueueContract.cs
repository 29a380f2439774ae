using TokenTally.Storage.Queues;

namespace TokenTally.Storage.Tests.Queues;

/// <summary>
/// What every <see cref="IMessageQueue"/> adapter promises (Azure Storage Queue semantics). Each
/// backend derives from this class and says how to let time pass: a fake clock moves instantly,
/// a real service is waited for. Each test uses its own queue.
/// </summary>
public abstract class MessageQueueContract : IAsyncDisposable
{
    private readonly List<string> _queues = [];

    /// <summary>Long enough that a real service never lets it lapse between two back-to-back calls.</summary>
    protected static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(2);

    protected static readonly TimeSpan LongTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The queue under test. Backends that are not configured skip the test here.</summary>
    protected abstract IMessageQueue CreateSut();

    /// <summary>Returns once at least <paramref name="atLeast"/> has passed for the queue.</summary>
    protected abstract Task LetTimePassAsync(TimeSpan atLeast);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A queue no other test uses; backends with durable queues delete it afterwards.</summary>
    protected string UniqueQueue()
    {
        var queue = $"contract-{Guid.NewGuid():N}";
        _queues.Add(queue);
        return queue;
    }

    /// <summary>Removes the queues a test used; nothing to do for an in-memory queue.</summary>
    protected virtual Task DeleteQueuesAsync(IReadOnlyList<string> queues) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await DeleteQueuesAsync(_queues);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task SentMessageIsReceivedOnce()
    {
        var queue = CreateSut();
        var name = UniqueQueue();

        await queue.SendAsync(name, "hello", initialDelay: null, Ct);
        var received = await queue.ReceiveAsync(name, 32, LongTimeout, Ct);

        var message = Assert.Single(received);
        Assert.Equal(name, message.Queue);
        Assert.Equal("hello", message.Body);
        Assert.Equal(1, message.DequeueCount);
        Assert.False(string.IsNullOrEmpty(message.Id));
        Assert.False(string.IsNullOrEmpty(message.Receipt));
        Assert.Empty(await queue.ReceiveAsync(name, 32, LongTimeout, Ct));
    }

    [Fact]
    public async Task CompletedMessageIsGone()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        await queue.SendAsync(name, "work", initialDelay: null, Ct);
        var message = Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct));

        Assert.True(await queue.CompleteAsync(message, Ct));

        Assert.Equal(0, await queue.CountAsync(name, Ct));
    }

    [Fact]
    public async Task CompletingTwiceReturnsFalseTheSecondTime()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        await queue.SendAsync(name, "work", initialDelay: null, Ct);
        var message = Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct));
        await queue.CompleteAsync(message, Ct);

        Assert.False(await queue.CompleteAsync(message, Ct));
    }

    [Fact]
    public async Task ReceivedMessageIsHiddenUntilItsVisibilityTimeoutPassesAndThenComesBack()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        await queue.SendAsync(name, "retry me", initialDelay: null, Ct);
        var first = Assert.Single(await queue.ReceiveAsync(name, 1, ShortTimeout, Ct));

        Assert.Empty(await queue.ReceiveAsync(name, 1, ShortTimeout, Ct));
        await LetTimePassAsync(ShortTimeout);
        var second = Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("retry me", second.Body);
        Assert.Equal(2, second.DequeueCount);
        Assert.NotEqual(first.Receipt, second.Receipt);
    }

    [Fact]
    public async Task CompletingWithAStaleReceiptReturnsFalseAndKeepsTheMessage()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        await queue.SendAsync(name, "work", initialDelay: null, Ct);
        var first = Assert.Single(await queue.ReceiveAsync(name, 1, ShortTimeout, Ct));
        await LetTimePassAsync(ShortTimeout);
        var second = Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct));

        Assert.False(await queue.CompleteAsync(first, Ct));
        Assert.Equal(1, await queue.CountAsync(name, Ct));
        Assert.True(await queue.CompleteAsync(second, Ct));
        Assert.Equal(0, await queue.CountAsync(name, Ct));
    }

    [Fact]
    public async Task InitialDelayHidesTheMessageUntilItPasses()
    {
        var queue = CreateSut();
        var name = UniqueQueue();

        await queue.SendAsync(name, "later", ShortTimeout, Ct);

        Assert.Empty(await queue.ReceiveAsync(name, 1, LongTimeout, Ct));
        Assert.Equal(1, await queue.CountAsync(name, Ct));
        await LetTimePassAsync(ShortTimeout);
        var message = Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct));
        Assert.Equal("later", message.Body);
        Assert.Equal(1, message.DequeueCount);
    }

    [Fact]
    public async Task ReceiveReturnsAtMostMaxMessages()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        for (var i = 0; i < 5; i++)
        {
            await queue.SendAsync(name, $"message {i}", initialDelay: null, Ct);
        }

        var first = await queue.ReceiveAsync(name, 3, LongTimeout, Ct);
        var rest = await queue.ReceiveAsync(name, 32, LongTimeout, Ct);

        Assert.Equal(3, first.Count);
        Assert.Equal(2, rest.Count);
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"message {i}"),
            first.Concat(rest).Select(m => m.Body).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ConcurrentReceiversNeverGetTheSameMessage()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        for (var i = 0; i < 10; i++)
        {
            await queue.SendAsync(name, $"message {i}", initialDelay: null, Ct);
        }

        var batches = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => queue.ReceiveAsync(name, 4, LongTimeout, Ct), Ct)));

        var ids = batches.SelectMany(b => b).Select(m => m.Id).ToList();
        Assert.Equal(10, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task CountIncludesHiddenMessages()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        await queue.SendAsync(name, "a", initialDelay: null, Ct);
        await queue.SendAsync(name, "b", initialDelay: null, Ct);
        await queue.SendAsync(name, "c", LongTimeout, Ct);

        await queue.ReceiveAsync(name, 1, LongTimeout, Ct);

        Assert.Equal(3, await queue.CountAsync(name, Ct));
    }

    [Fact]
    public async Task ANewQueueIsEmpty()
    {
        var queue = CreateSut();
        var name = UniqueQueue();

        Assert.Equal(0, await queue.CountAsync(name, Ct));
        Assert.Empty(await queue.ReceiveAsync(name, 32, LongTimeout, Ct));
    }

    [Fact]
    public async Task QueuesAreIndependent()
    {
        var queue = CreateSut();
        var (one, other) = (UniqueQueue(), UniqueQueue());

        await queue.SendAsync(one, "for one", initialDelay: null, Ct);

        Assert.Empty(await queue.ReceiveAsync(other, 32, LongTimeout, Ct));
        Assert.Equal(0, await queue.CountAsync(other, Ct));
        Assert.Equal("for one", Assert.Single(await queue.ReceiveAsync(one, 32, LongTimeout, Ct)).Body);
    }

    [Theory]
    [InlineData("{\"tenant\":\"t-1\",\"hour\":\"2025-01-01T10:00:00Z\",\"note\":\"<xml> & 'quotes' \\\\ \\u0000\"}")]
    [InlineData("ünïcödé 名前 😀 — mixed scripts")]
    [InlineData("  leading and trailing whitespace\r\n\tand lines  ")]
    [InlineData("<QueueMessage><MessageText>not really</MessageText></QueueMessage>")]
    [InlineData("control \u0001 characters XML cannot carry")]
    [InlineData("x")]
    public async Task BodiesRoundTripExactly(string body)
    {
        var queue = CreateSut();
        var name = UniqueQueue();

        await queue.SendAsync(name, body, initialDelay: null, Ct);

        Assert.Equal(body, Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct)).Body);
    }

    [Fact]
    public async Task ABodyOfTheLargestAllowedSizeRoundTrips()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        var body = string.Concat(Enumerable.Repeat("é", QueueMessageLimits.MaxBodyBytes / 2));

        await queue.SendAsync(name, body, initialDelay: null, Ct);

        Assert.Equal(body, Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct)).Body);
    }

    [Fact]
    public async Task ReceivedMessageCarriesItsTimes()
    {
        var queue = CreateSut();
        var name = UniqueQueue();
        await queue.SendAsync(name, "timed", initialDelay: null, Ct);

        var message = Assert.Single(await queue.ReceiveAsync(name, 1, LongTimeout, Ct));

        Assert.InRange(message.ExpiresAt - message.InsertedAt, QueueMessageLimits.TimeToLive - TimeSpan.FromSeconds(2), QueueMessageLimits.TimeToLive + TimeSpan.FromSeconds(2));
        Assert.InRange(message.NextVisibleAt - message.InsertedAt, LongTimeout - TimeSpan.FromSeconds(2), LongTimeout + TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("UPPER-case")]
    [InlineData("ab")]
    [InlineData("double--dash")]
    [InlineData("-leading-dash")]
    [InlineData("under_score")]
    public async Task InvalidQueueNamesAreRejected(string name)
    {
        var queue = CreateSut();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.SendAsync(name, "x", initialDelay: null, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.ReceiveAsync(name, 1, LongTimeout, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.CountAsync(name, Ct));
    }

    [Fact]
    public async Task ArgumentsOutsideAzureLimitsAreRejected()
    {
        var queue = CreateSut();
        var name = UniqueQueue();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.ReceiveAsync(name, 0, LongTimeout, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.ReceiveAsync(name, QueueMessageLimits.MaxMessagesPerReceive + 1, LongTimeout, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.ReceiveAsync(name, 1, TimeSpan.Zero, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.ReceiveAsync(name, 1, TimeSpan.FromDays(8), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.SendAsync(name, "x", TimeSpan.FromDays(7), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.SendAsync(name, "x", TimeSpan.FromSeconds(-1), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.SendAsync(name, new string('x', QueueMessageLimits.MaxBodyBytes + 1), initialDelay: null, Ct));
    }
}
