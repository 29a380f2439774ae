using TokenTally.Core.Anomalies;

namespace TokenTally.Core.Tests.Anomalies;

/// <summary>Season lengths come from the step: a day and a week counted in steps.</summary>
public sealed class SeasonLengthsTests
{
    [Theory]
    [InlineData(60, 24, 168)]
    [InlineData(5, 288, 2016)]
    [InlineData(30, 48, 336)]
    [InlineData(24 * 60, 0, 0)]
    public void ADayAndAWeekAreCountedInSteps(int minutes, int daily, int weekly) =>
        Assert.Equal(new SeasonLengths(daily, weekly), SeasonLengths.For(TimeSpan.FromMinutes(minutes)));
}
