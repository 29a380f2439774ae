using System.Globalization;
using TokenTally.Core.Budgets;

namespace TokenTally.Core.Tests.Budgets;

/// <summary>
/// The period holding an instant, as UTC [start, end), checked against boundaries worked out by hand from the zones' rules:
/// Berlin changes at 01:00 UTC on the last Sundays of March and October; New York at 02:00 local on the second Sunday of
/// March and the first Sunday of November.
/// </summary>
public sealed class BudgetPeriodTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29T12:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 23)]
    [InlineData("Europe/Berlin", "2026-10-25T12:00:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 25)]
    [InlineData("America/New_York", "2026-03-08T12:00:00Z", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23)]
    [InlineData("America/New_York", "2026-11-01T12:00:00Z", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25)]
    [InlineData("Europe/Berlin", "2026-12-03T12:00:00Z", "2026-12-02T23:00:00Z", "2026-12-03T23:00:00Z", 24)]
    [InlineData("America/Santiago", "2026-09-06T12:00:00Z", "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z", 23)] // midnight is skipped: the day starts at 01:00
    [InlineData("America/Santiago", "2026-09-05T12:00:00Z", "2026-09-05T04:00:00Z", "2026-09-06T04:00:00Z", 24)] // and the day before ends then
    public void ADayRunsFromLocalMidnightToLocalMidnightAndIsShortOrLongOnADstChange(string zone, string instant, string start, string end, int hours)
    {
        var period = BudgetPeriod.Recurring(BudgetPeriodKind.Day, TimeZoneInfo.FindSystemTimeZoneById(zone));

        var window = period.Containing(At(instant))!;

        Assert.Equal(new PeriodWindow(At(start), At(end)), window);
        Assert.Equal(TimeSpan.FromHours(hours), window.Length);
    }

    [Fact]
    public void AnInstantBeforeLocalMidnightBelongsToTheLocalDayItFallsIn()
    {
        var period = BudgetPeriod.Recurring(BudgetPeriodKind.Day, NewYork);

        // 03:30 UTC on 4 December is 22:30 on 3 December in New York.
        var window = period.Containing(At("2026-12-04T03:30:00Z"))!;

        Assert.Equal(new PeriodWindow(At("2026-12-03T05:00:00Z"), At("2026-12-04T05:00:00Z")), window);
    }

    [Fact]
    public void TheLastInstantOfAPeriodIsInItAndItsEndIsInTheNext()
    {
        var period = BudgetPeriod.Recurring(BudgetPeriodKind.Day, Berlin);

        var last = period.Containing(At("2026-12-03T22:59:59.9999999Z"))!;
        var next = period.Containing(At("2026-12-03T23:00:00Z"))!;

        Assert.Equal(At("2026-12-03T23:00:00Z"), last.End);
        Assert.Equal(last.End, next.Start);
    }

    [Theory]
    [InlineData("UTC", "2026-12-03T12:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")] // a Thursday
    [InlineData("UTC", "2026-11-30T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")] // Monday midnight starts the week
    [InlineData("UTC", "2026-12-06T23:59:59Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")] // Sunday ends it
    [InlineData("Europe/Berlin", "2026-12-06T23:30:00Z", "2026-12-06T23:00:00Z", "2026-12-13T23:00:00Z")] // Sunday in UTC, Monday in Berlin
    [InlineData("UTC", "2027-01-01T09:00:00Z", "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z")] // across the new year
    public void AWeekStartsOnMondayInTheBudgetsZone(string zone, string instant, string start, string end)
    {
        var period = BudgetPeriod.Recurring(BudgetPeriodKind.Week, TimeZoneInfo.FindSystemTimeZoneById(zone));

        Assert.Equal(new PeriodWindow(At(start), At(end)), period.Containing(At(instant)));
    }

    [Fact]
    public void AWeekHoldingTheSpringChangeIsAnHourShort()
    {
        var window = BudgetPeriod.Recurring(BudgetPeriodKind.Week, Berlin).Containing(At("2026-03-25T12:00:00Z"))!;

        Assert.Equal(new PeriodWindow(At("2026-03-22T23:00:00Z"), At("2026-03-29T22:00:00Z")), window);
        Assert.Equal(TimeSpan.FromHours((7 * 24) - 1), window.Length);
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-10-15T00:00:00Z", "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z")] // October loses its summer time
    [InlineData("America/New_York", "2026-12-01T02:00:00Z", "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z")] // still 30 November in New York
    [InlineData("UTC", "2028-02-29T12:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z")] // a leap February
    public void AMonthIsTheCalendarMonthInTheBudgetsZone(string zone, string instant, string start, string end)
    {
        var period = BudgetPeriod.Recurring(BudgetPeriodKind.Month, TimeZoneInfo.FindSystemTimeZoneById(zone));

        Assert.Equal(new PeriodWindow(At(start), At(end)), period.Containing(At(instant)));
    }

    [Theory]
    [InlineData("UTC", "2026-02-15T00:00:00Z", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")]
    [InlineData("UTC", "2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z")]
    [InlineData("UTC", "2026-09-30T23:59:59Z", "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z")]
    [InlineData("UTC", "2026-12-31T23:00:00Z", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("Europe/Berlin", "2026-03-31T22:30:00Z", "2026-03-31T22:00:00Z", "2026-06-30T22:00:00Z")] // 00:30 on 1 April in Berlin
    [InlineData("America/New_York", "2026-05-10T12:00:00Z", "2026-04-01T04:00:00Z", "2026-07-01T04:00:00Z")]
    [InlineData("America/New_York", "2027-01-01T03:00:00Z", "2026-10-01T04:00:00Z", "2027-01-01T05:00:00Z")] // still 2026 in New York
    public void AQuarterStartsInJanuaryAprilJulyOrOctober(string zone, string instant, string start, string end)
    {
        var period = BudgetPeriod.Recurring(BudgetPeriodKind.Quarter, TimeZoneInfo.FindSystemTimeZoneById(zone));

        Assert.Equal(new PeriodWindow(At(start), At(end)), period.Containing(At(instant)));
    }

    [Fact]
    public void AFixedRangeRunsFromItsFirstDayToTheLocalMidnightOfItsEndDate()
    {
        var period = BudgetPeriod.FixedRange(new DateOnly(2026, 12, 1), new DateOnly(2027, 1, 1), Berlin);
        var range = new PeriodWindow(At("2026-11-30T23:00:00Z"), At("2026-12-31T23:00:00Z"));

        Assert.Equal(range, period.Containing(At("2026-11-30T23:00:00Z")));
        Assert.Equal(range, period.Containing(At("2026-12-24T12:00:00Z")));
        Assert.Null(period.Containing(At("2026-11-30T22:59:59Z")));
        Assert.Null(period.Containing(At("2026-12-31T23:00:00Z")));
    }

    [Fact]
    public void AFixedRangeAcrossADstChangeKeepsItsLocalMidnights()
    {
        var period = BudgetPeriod.FixedRange(new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 1), NewYork);

        var window = period.Containing(At("2026-03-15T00:00:00Z"))!;

        Assert.Equal(new PeriodWindow(At("2026-03-01T05:00:00Z"), At("2026-04-01T04:00:00Z")), window);
        Assert.Equal(TimeSpan.FromHours((31 * 24) - 1), window.Length);
    }

    [Fact]
    public void AFixedRangeMustEndAfterItStartsAndARecurringPeriodCannotBeFixed()
    {
        Assert.Throws<ArgumentException>(() => BudgetPeriod.FixedRange(new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 1), Berlin));
        Assert.Throws<ArgumentException>(() => BudgetPeriod.Recurring(BudgetPeriodKind.Fixed, Berlin));
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
}
