using TokenTally.Core.Scheduling;

namespace TokenTally.Core.Tests.Scheduling;

public sealed class NCrontabScheduleParsingTests
{
    [Theory]
    // Field count and emptiness
    [InlineData("", "the expression is empty")]
    [InlineData("   \t ", "the expression is empty")]
    [InlineData("* * * *", "or 5 without seconds, found 4")]
    [InlineData("0 0 * * * * 2025", "found 7")]
    [InlineData("0 1,,2 * * * *", "minute field '1,,2' has an empty list item")]
    [InlineData("0 5, * * * *", "minute field '5,' has an empty list item")]
    [InlineData("0 0 , * * *", "hour field ',' has an empty list item")]
    // Out of range
    [InlineData("60 * * * * *", "second field '60' is out of range 0-59")]
    [InlineData("0 61 * * * *", "minute field '61' is out of range 0-59")]
    [InlineData("0 0,61 * * * *", "minute field '61' is out of range 0-59")]
    [InlineData("0 0 24 * * *", "hour field '24' is out of range 0-23")]
    [InlineData("0 0 0 0 * *", "day-of-month field '0' is out of range 1-31")]
    [InlineData("0 0 0 32 * *", "day-of-month field '32' is out of range 1-31")]
    [InlineData("0 0 0 * 0 *", "month field '0' is out of range 1-12")]
    [InlineData("0 0 0 * 13 *", "month field '13' is out of range 1-12")]
    [InlineData("0 0 0 * * 7", "day-of-week field '7' is out of range 0-6 (Sunday is 0)")]
    [InlineData("0 0 0 * * 1-7", "day-of-week field '7' is out of range 0-6")]
    [InlineData("0 0 0 * * 99999999999", "day-of-week field '99999999999' is out of range 0-6")]
    [InlineData("0 0 0 * *", "day-of-month field '0' is out of range 1-31")]
    // Reversed ranges
    [InlineData("0 0 17-9 * * *", "hour field '17-9' is a reversed range (start 17 is after end 9)")]
    [InlineData("0 0 0 * Dec-Jan *", "month field 'Dec-Jan' is a reversed range")]
    [InlineData("0 0 0 * * Fri-Mon", "day-of-week field 'Fri-Mon' is a reversed range")]
    // Steps
    [InlineData("*/0 * * * * *", "second field '*/0' has step '0', which is not a positive integer")]
    [InlineData("*/-5 * * * * *", "second field '*/-5' has step '-5', which is not a positive integer")]
    [InlineData("0 0-30/x * * * *", "minute field '0-30/x' has step 'x', which is not a positive integer")]
    [InlineData("0 */ * * * *", "minute field '*/' ends where a step was expected after '/'")]
    // Names
    [InlineData("0 0 0 * Foo *", "month field 'Foo' is not a known month name (expected Jan-Dec, January-December or 1-12)")]
    [InlineData("0 0 0 * * Mo", "day-of-week field 'Mo' is not a known day-of-week name (expected Sun-Sat, Sunday-Saturday or 0-6)")]
    [InlineData("0 0 0 * * Jan", "day-of-week field 'Jan' is not a known day-of-week name")]
    [InlineData("0 0 Mon * * *", "hour field 'Mon' is not a number (expected 0-23)")]
    [InlineData("0 0 0 L * *", "day-of-month field 'L' is not a number (expected 1-31)")]
    // Trailing and stray characters
    [InlineData("0 5x * * * *", "minute field '5x' has unexpected 'x' after '5'")]
    [InlineData("0 */5/2 * * * *", "minute field '*/5/2' has unexpected '/2' after '*/5'")]
    [InlineData("0 *-5 * * * *", "minute field '*-5' has unexpected '-5' after '*'")]
    [InlineData("0 1.5 * * * *", "minute field '1.5' has unexpected '.5' after '1'")]
    [InlineData("0 0 0 * * 1#2", "day-of-week field '1#2' has unexpected '#2' after '1'")]
    [InlineData("0 0 0 * * Mon1", "day-of-week field 'Mon1' has unexpected '1' after 'Mon'")]
    [InlineData("0 -5 * * * *", "minute field '-5' has '-5' where a value was expected")]
    [InlineData("0 5- * * * *", "minute field '5-' ends where a value was expected")]
    [InlineData("0 0 ? * * *", "hour field '?' has '?' where a value was expected")]
    public void MalformedExpressionIsRejectedWithAMessageNamingTheFieldAndQuotingTheExpression(string expression, string fragment)
    {
        var parsed = NCrontabSchedule.TryParse(expression, out var schedule, out var error);

        Assert.False(parsed);
        Assert.Null(schedule);
        Assert.NotNull(error);
        Assert.Contains(fragment, error, StringComparison.Ordinal);
        Assert.StartsWith($"Invalid NCRONTAB expression '{expression}': ", error, StringComparison.Ordinal);

        var exception = Assert.Throws<FormatException>(() => NCrontabSchedule.Parse(expression));
        Assert.Equal(error, exception.Message);
    }

    [Theory]
    [InlineData("0 5 * * * *")]
    [InlineData("*/15 * * * * *")]
    [InlineData("0 0 9 * * Mon-Fri")]
    [InlineData("0 30 9 * Jan Mon")]
    [InlineData("0 0 12 * february,MARCH friday-SAT")]
    [InlineData("0 0,30 8-10,14 */10 1-3/2 *")]
    [InlineData("0 10/20 * * * *")]
    [InlineData("0 */90 * * * *")]
    [InlineData("00 05 09 01 01 00")]
    [InlineData("0 0 0 29 2 *")]
    [InlineData("0 0 0 30 2 *")]
    [InlineData("5 * * * *")]
    [InlineData("  0\t5 *  * * *  ")]
    public void WellFormedExpressionParsesAndKeepsItsText(string expression)
    {
        var schedule = NCrontabSchedule.Parse(expression);

        Assert.Equal(expression, schedule.Expression);
        Assert.Equal(expression, schedule.ToString());
        Assert.True(NCrontabSchedule.TryParse(expression, out var again, out var error));
        Assert.NotNull(again);
        Assert.Null(error);
    }

    [Fact]
    public void ParseRejectsNullWithArgumentNullException() =>
        Assert.Throws<ArgumentNullException>(() => NCrontabSchedule.Parse(null!));

    [Fact]
    public void TryParseReportsNullAsAnErrorInsteadOfThrowing()
    {
        Assert.False(NCrontabSchedule.TryParse(null!, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Contains("null", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 10/20 * * * *", "0 10,30,50 * * * *")]
    [InlineData("0 0 0 * * Mon/2", "0 0 0 * * 1,3,5")]
    [InlineData("0 */25 * * * *", "0 0,25,50 * * * *")]
    [InlineData("0 0 0 1-31/10 * *", "0 0 0 1,11,21,31 * *")]
    [InlineData("0 0 0 * * 0", "0 0 0 * * sun")]
    [InlineData("0 0 0 * * *", "0 0 0 * * 0-6")]
    [InlineData("*/10 9 * * Mon", "0 */10 9 * * Mon")]
    [InlineData("0 0 12 1,1,1 * *", "0 0 12 1 * *")]
    public void EquivalentSpellingsProduceTheSameOccurrences(string expression, string equivalent)
    {
        var from = DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var until = from.AddYears(2);

        var expected = NCrontabSchedule.Parse(equivalent).GetOccurrences(from, until).Take(300).ToList();
        var actual = NCrontabSchedule.Parse(expression).GetOccurrences(from, until).Take(300).ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void NamesAreCaseInsensitiveAndEquivalentToNumbers()
    {
        var after = DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var byNumber = NCrontabSchedule.Parse("0 0 12 * 2,7 1-5").GetOccurrences(after, after.AddYears(1));
        var byShortName = NCrontabSchedule.Parse("0 0 12 * feb,JUL mOn-fri").GetOccurrences(after, after.AddYears(1));
        var byFullName = NCrontabSchedule.Parse("0 0 12 * February,july Monday-FRIDAY").GetOccurrences(after, after.AddYears(1));

        Assert.Equal(byNumber, byShortName);
        Assert.Equal(byNumber, byFullName);
    }
}
