using System.Globalization;
using TokenTally.Core.Scheduling;

namespace TokenTally.Core.Tests.Scheduling;

public sealed class NCrontabScheduleOccurrenceTests
{
    [Theory]
    // The hourly schedule the product uses
    [InlineData("0 5 * * * *", "2025-06-01T10:04:59Z", "2025-06-01T10:05:00Z")]
    [InlineData("0 5 * * * *", "2025-06-01T10:05:00Z", "2025-06-01T11:05:00Z")]
    [InlineData("0 5 * * * *", "2025-06-01T10:05:00.001Z", "2025-06-01T11:05:00Z")]
    [InlineData("0 5 * * * *", "2025-06-01T23:30:00Z", "2025-06-02T00:05:00Z")]
    // Every 15 seconds
    [InlineData("*/15 * * * * *", "2025-06-01T10:00:00Z", "2025-06-01T10:00:15Z")]
    [InlineData("*/15 * * * * *", "2025-06-01T10:00:14.999Z", "2025-06-01T10:00:15Z")]
    [InlineData("*/15 * * * * *", "2025-06-01T10:00:45Z", "2025-06-01T10:01:00Z")]
    [InlineData("*/15 * * * * *", "2025-06-01T10:59:59Z", "2025-06-01T11:00:00Z")]
    // Weekdays at nine (2025-06-06 is a Friday)
    [InlineData("0 0 9 * * Mon-Fri", "2025-06-05T09:00:00Z", "2025-06-06T09:00:00Z")]
    [InlineData("0 0 9 * * Mon-Fri", "2025-06-06T09:00:00Z", "2025-06-09T09:00:00Z")]
    [InlineData("0 0 9 * * Mon-Fri", "2025-06-07T08:00:00Z", "2025-06-09T09:00:00Z")]
    [InlineData("0 0 9 * * Mon-Fri", "2025-06-09T08:59:59Z", "2025-06-09T09:00:00Z")]
    // First of the month at 14:30
    [InlineData("0 30 14 1 * *", "2025-01-01T14:29:59Z", "2025-01-01T14:30:00Z")]
    [InlineData("0 30 14 1 * *", "2025-01-01T14:30:00Z", "2025-02-01T14:30:00Z")]
    [InlineData("0 30 14 1 * *", "2025-12-15T00:00:00Z", "2026-01-01T14:30:00Z")]
    // Month boundaries: months without the day are skipped
    [InlineData("0 0 0 31 * *", "2025-01-31T00:00:00Z", "2025-03-31T00:00:00Z")]
    [InlineData("0 0 0 31 * *", "2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z")]
    [InlineData("0 0 12 30 * *", "2025-01-30T12:00:00Z", "2025-03-30T12:00:00Z")]
    [InlineData("0 0 0 * * *", "2025-02-28T00:00:00Z", "2025-03-01T00:00:00Z")]
    [InlineData("0 0 0 * * *", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z")]
    // Leap day, including the century rule (2100 is not a leap year)
    [InlineData("0 0 0 29 2 *", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 0 29 2 *", "2025-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 0 29 2 *", "2096-02-29T00:00:00Z", "2104-02-29T00:00:00Z")]
    // Year rollover and the last second of the year
    [InlineData("0 0 0 1 1 *", "2025-06-15T00:00:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("59 59 23 31 12 *", "2025-12-31T23:59:58Z", "2025-12-31T23:59:59Z")]
    [InlineData("59 59 23 31 12 *", "2025-12-31T23:59:59Z", "2026-12-31T23:59:59Z")]
    [InlineData("* * * * * *", "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z")]
    [InlineData("* * * * * *", "2025-12-31T23:59:59.9999999Z", "2026-01-01T00:00:00Z")]
    // Names (2026-01-01 is a Thursday; 2025-07-01 a Tuesday; 2025-02-01 a Saturday)
    [InlineData("0 30 9 * Jan Mon", "2025-01-31T00:00:00Z", "2026-01-05T09:30:00Z")]
    [InlineData("0 0 8 * jul,AUG sun", "2025-06-01T00:00:00Z", "2025-07-06T08:00:00Z")]
    [InlineData("0 0 12 * February Friday", "2025-01-01T00:00:00Z", "2025-02-07T12:00:00Z")]
    // Lists, ranges and steps combined
    [InlineData("0 0,30 8-10,14 */10 1-3/2 *", "2025-01-31T14:30:00Z", "2025-03-01T08:00:00Z")]
    [InlineData("0 0,30 8-10,14 */10 1-3/2 *", "2025-03-11T10:15:00Z", "2025-03-11T10:30:00Z")]
    [InlineData("15,45 10-20/5 */6 * * Sat,sun", "2025-06-06T23:59:59Z", "2025-06-07T00:10:15Z")]
    [InlineData("15,45 10-20/5 */6 * * Sat,sun", "2025-06-07T18:20:45Z", "2025-06-08T00:10:15Z")]
    [InlineData("0 10/20 * * * *", "2025-06-01T10:15:00Z", "2025-06-01T10:30:00Z")]
    [InlineData("0 10/20 * * * *", "2025-06-01T10:50:00Z", "2025-06-01T11:10:00Z")]
    [InlineData("0 */90 * * * *", "2025-06-01T10:00:00Z", "2025-06-01T11:00:00Z")]
    // Five fields: no seconds field, fires at second 0
    [InlineData("5 * * * *", "2025-06-01T10:04:30Z", "2025-06-01T10:05:00Z")]
    [InlineData("*/10 9 * * Mon", "2025-06-09T09:50:00Z", "2025-06-16T09:00:00Z")]
    public void NextOccurrenceIsTheFirstMatchingSecondStrictlyAfterTheStart(string expression, string after, string expected)
    {
        var next = NCrontabSchedule.Parse(expression).GetNextOccurrence(At(after));

        Assert.Equal(At(expected), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    [Fact]
    public void EveryFiveMinutesFiresOnTheFiveMinuteMarks()
    {
        var schedule = NCrontabSchedule.Parse("0 */5 * * * *");

        var occurrences = schedule.GetOccurrences(At("2025-06-01T10:00:00Z"), At("2025-06-01T11:00:00Z")).ToList();

        Assert.Equal(11, occurrences.Count);
        Assert.Equal(At("2025-06-01T10:05:00Z"), occurrences[0]);
        Assert.Equal(At("2025-06-01T10:55:00Z"), occurrences[^1]);
        Assert.All(occurrences, o => Assert.True(o.Minute % 5 == 0 && o.Second == 0));
    }

    [Fact]
    public void HourlyProductScheduleFiresOncePerHourAtFivePast()
    {
        var schedule = NCrontabSchedule.Parse("0 5 * * * *");

        var occurrences = schedule.GetOccurrences(At("2025-06-01T00:00:00Z"), At("2025-06-02T00:00:00Z")).ToList();

        Assert.Equal(24, occurrences.Count);
        Assert.All(occurrences, o => Assert.Equal(new TimeSpan(o.Hour, 5, 0), o.TimeOfDay));
    }

    [Fact]
    public void DayOfMonthAndDayOfWeekMustBothMatch()
    {
        // Vixie cron would fire on every Friday and every 13th; NCrontab fires only on Friday the 13th.
        var schedule = NCrontabSchedule.Parse("0 0 0 13 * Fri");

        var occurrences = schedule.GetOccurrences(At("2025-01-01T00:00:00Z"), At("2026-12-31T00:00:00Z")).ToList();

        Assert.Equal([At("2025-06-13T00:00:00Z"), At("2026-02-13T00:00:00Z"), At("2026-03-13T00:00:00Z"), At("2026-11-13T00:00:00Z")], occurrences);
    }

    [Fact]
    public void LeapDayOnAMondayIsFoundDecadesAhead()
    {
        var next = NCrontabSchedule.Parse("0 0 0 29 2 Mon").GetNextOccurrence(At("2016-02-29T00:00:00Z"));

        Assert.Equal(At("2044-02-29T00:00:00Z"), next);
    }

    [Fact]
    public void StartWithAnOffsetIsEvaluatedInUtcAndTheResultHasOffsetZero()
    {
        var after = new DateTimeOffset(2025, 6, 1, 12, 4, 0, TimeSpan.FromHours(2));

        var next = NCrontabSchedule.Parse("0 5 * * * *").GetNextOccurrence(after);

        Assert.Equal(new DateTimeOffset(2025, 6, 1, 10, 5, 0, TimeSpan.Zero), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    [Fact]
    public void DayOfWeekIsTakenFromTheUtcDateNotTheLocalOne()
    {
        // 2025-06-08T23:30-05:00 is Monday 04:30 UTC; the schedule fires at 05:00 on Mondays.
        var after = new DateTimeOffset(2025, 6, 8, 23, 30, 0, TimeSpan.FromHours(-5));

        var next = NCrontabSchedule.Parse("0 0 5 * * Mon").GetNextOccurrence(after);

        Assert.Equal(At("2025-06-09T05:00:00Z"), next);
    }

    [Theory]
    [InlineData("0 0 0 30 2 *")]
    [InlineData("0 0 0 31 2 *")]
    [InlineData("0 0 0 31 4,6,9,11 *")]
    [InlineData("0 0 0 30-31 Feb Mon-Fri")]
    public void ScheduleThatNeverFiresThrowsAClearError(string expression)
    {
        var schedule = NCrontabSchedule.Parse(expression);

        var exception = Assert.Throws<InvalidOperationException>(() => schedule.GetNextOccurrence(At("2025-01-01T00:00:00Z")));

        Assert.Contains($"'{expression}' has no occurrence after 2025-01-01T00:00:00", exception.Message, StringComparison.Ordinal);
        Assert.Contains("never fires", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoOccurrenceBeforeTheEndOfTheCalendarThrows()
    {
        var schedule = NCrontabSchedule.Parse("0 0 0 1 1 *");

        Assert.Throws<InvalidOperationException>(() => schedule.GetNextOccurrence(At("9999-06-01T00:00:00Z")));
        Assert.Throws<InvalidOperationException>(() => schedule.GetNextOccurrence(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void LastSecondOfTheCalendarIsStillFound()
    {
        var next = NCrontabSchedule.Parse("59 59 23 31 12 *").GetNextOccurrence(At("9999-12-31T00:00:00Z"));

        Assert.Equal(At("9999-12-31T23:59:59Z"), next);
    }

    [Fact]
    public void OccurrencesExcludeBothBounds()
    {
        var schedule = NCrontabSchedule.Parse("0 0 * * * *");

        var occurrences = schedule.GetOccurrences(At("2025-06-01T10:00:00Z"), At("2025-06-01T13:00:00Z"));

        Assert.Equal([At("2025-06-01T11:00:00Z"), At("2025-06-01T12:00:00Z")], occurrences);
    }

    [Fact]
    public void OccurrencesAreEmptyWhenTheRangeIsEmptyOrReversed()
    {
        var schedule = NCrontabSchedule.Parse("* * * * * *");

        Assert.Empty(schedule.GetOccurrences(At("2025-06-01T10:00:00Z"), At("2025-06-01T10:00:00Z")));
        Assert.Empty(schedule.GetOccurrences(At("2025-06-01T10:00:00Z"), At("2025-06-01T09:00:00Z")));
    }

    [Fact]
    public void OccurrencesOfAScheduleThatNeverFiresAreEmptyRatherThanAnError() =>
        Assert.Empty(NCrontabSchedule.Parse("0 0 0 30 2 *").GetOccurrences(At("2025-01-01T00:00:00Z"), At("2125-01-01T00:00:00Z")));

    [Fact]
    public void OccurrencesAreComputedLazily()
    {
        var schedule = NCrontabSchedule.Parse("* * * * * *");

        var firstThree = schedule.GetOccurrences(At("2025-06-01T10:00:00Z"), DateTimeOffset.MaxValue).Take(3);

        Assert.Equal([At("2025-06-01T10:00:01Z"), At("2025-06-01T10:00:02Z"), At("2025-06-01T10:00:03Z")], firstThree);
    }

    [Fact]
    public void OccurrencesAcrossAYearMatchTheCalendar()
    {
        var schedule = NCrontabSchedule.Parse("0 0 0 29 * *");

        var occurrences = schedule.GetOccurrences(At("2023-01-01T00:00:00Z"), At("2025-01-01T00:00:00Z")).ToList();

        // Every month has a 29th except February 2023; February 2024 has one.
        Assert.Equal(23, occurrences.Count);
        Assert.Contains(At("2024-02-29T00:00:00Z"), occurrences);
    }

    private static DateTimeOffset At(string instant) =>
        DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
