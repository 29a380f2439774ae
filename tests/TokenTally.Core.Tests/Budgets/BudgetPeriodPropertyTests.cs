using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Budgets;

namespace TokenTally.Core.Tests.Budgets;

/// <summary>Recurring periods tile time: each holds its instant, starts at a local midnight, and the next starts where it ends.</summary>
public sealed class BudgetPeriodPropertyTests
{
    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "America/New_York", "America/Santiago", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"];

    private static readonly Gen<DateTimeOffset> Instants =
        Gen.Choose(0, int.MaxValue).Select(n => new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(n % (15L * 366 * 86_400)));

    private static readonly Gen<BudgetPeriod> Periods =
        from zone in Gen.Elements(Zones)
        from kind in Gen.Elements(BudgetPeriodKind.Day, BudgetPeriodKind.Week, BudgetPeriodKind.Month, BudgetPeriodKind.Quarter)
        select BudgetPeriod.Recurring(kind, TimeZoneInfo.FindSystemTimeZoneById(zone));

    [Fact]
    public void EveryPeriodHoldsItsInstantStartsAtALocalMidnightAndMeetsTheNextAndThePrevious()
    {
        var property = Prop.ForAll(Periods.ToArbitrary(), Instants.ToArbitrary(), (period, instant) =>
        {
            var window = period.Containing(instant)!;
            var local = TimeZoneInfo.ConvertTime(window.Start, period.Zone);
            return window.Contains(instant)
                && (local.TimeOfDay == TimeSpan.Zero || period.Zone.IsInvalidTime(local.Date))
                && period.Containing(window.End)!.Start == window.End
                && period.Containing(window.Start.AddTicks(-1))!.End == window.Start;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3_000), property);
    }
}
