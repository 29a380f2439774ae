using TokenTally.Storage.InProcess;
using TokenTally.Storage.Queues;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Queues;

/// <summary>The in-memory queue on a fake clock: time passes instantly.</summary>
public sealed class InProcessMessageQueueContract : MessageQueueContract
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero));

    protected override IMessageQueue CreateSut() => Sut();

    protected override Task LetTimePassAsync(TimeSpan atLeast)
    {
        _clock.Advance(atLeast);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AReceivedMessageStaysHiddenUntilTheLastTickOfItsTimeout()
    {
        var queue = Sut();
        await queue.SendAsync("work", "x", initialDelay: null, Ct);
        await queue.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30), Ct);

        _clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.Empty(await queue.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30), Ct));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Single(await queue.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task ReceivedMessageCarriesClockTimes()
    {
        var queue = Sut();
        var sentAt = _clock.GetUtcNow();
        await queue.SendAsync("work", "x", initialDelay: null, Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var message = Assert.Single(await queue.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30), Ct));

        Assert.Equal(sentAt, message.InsertedAt);
        Assert.Equal(sentAt + QueueMessageLimits.TimeToLive, message.ExpiresAt);
        Assert.Equal(sentAt + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(30), message.NextVisibleAt);
    }

    [Fact]
    public async Task MessagesExpireAfterSevenDays()
    {
        var queue = Sut();
        await queue.SendAsync("work", "old", initialDelay: null, Ct);
        await queue.SendAsync("work", "hidden and old", initialDelay: TimeSpan.FromDays(6), Ct);

        _clock.Advance(QueueMessageLimits.TimeToLive);

        Assert.Equal(0, await queue.CountAsync("work", Ct));
        Assert.Empty(await queue.ReceiveAsync("work", 32, TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task WaitForMessageCompletesAtOnceWhenAMessageIsVisible()
    {
        var queue = Sut();
        await queue.SendAsync("work", "x", initialDelay: null, Ct);

        await queue.WaitForMessageAsync("work", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task WaitForMessageCompletesWhenAMessageIsSent()
    {
        var queue = Sut();
        var waiting = queue.WaitForMessageAsync("work", Ct);
        Assert.False(waiting.IsCompleted);

        await queue.SendAsync("work", "x", initialDelay: null, Ct);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task WaitForMessageCompletesWhenAHiddenMessageBecomesVisible()
    {
        var queue = Sut();
        await queue.SendAsync("work", "x", TimeSpan.FromMinutes(5), Ct);
        var waiting = queue.WaitForMessageAsync("work", Ct);

        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMinutes(1));

        await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Single(await queue.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task WaitForMessageIgnoresOtherQueues()
    {
        var queue = Sut();
        var waiting = queue.WaitForMessageAsync("work", Ct);

        await queue.SendAsync("other", "x", initialDelay: null, Ct);

        Assert.False(waiting.IsCompleted);
    }

    [Fact]
    public async Task WaitForMessageStopsWhenCancelled()
    {
        var queue = Sut();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = queue.WaitForMessageAsync("work", cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    private InProcessMessageQueue Sut() => new(_clock);
}
