using TokenTally.Application.Alerts.Channels;

namespace TokenTally.Application.Tests.Alerts.Channels;

public sealed class RetryScheduleTests
{
    private static readonly AlertChannelOptions Options = new() { FirstRetryDelay = TimeSpan.FromSeconds(2), MaxRetryDelay = TimeSpan.FromSeconds(20) };

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 20)]
    [InlineData(40, 20)]
    public void TheWaitDoublesAfterEachFailureUpToTheCap(int failedAttempt, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), RetrySchedule.DelayAfter(failedAttempt, null, Options));

    [Fact]
    public void ARetryAfterLongerThanTheBackoffIsHonoured()
        => Assert.Equal(TimeSpan.FromSeconds(9), RetrySchedule.DelayAfter(1, TimeSpan.FromSeconds(9), Options));

    [Fact]
    public void ARetryAfterShorterThanTheBackoffDoesNotShortenIt()
        => Assert.Equal(TimeSpan.FromSeconds(8), RetrySchedule.DelayAfter(3, TimeSpan.FromSeconds(1), Options));

    [Fact]
    public void ARetryAfterBeyondTheCapGivesUp()
        => Assert.Null(RetrySchedule.DelayAfter(1, TimeSpan.FromMinutes(5), Options));
}
