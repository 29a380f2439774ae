using TokenTally.Core.Rollups;

namespace TokenTally.Core.Budgets;

/// <summary>How a budget's period repeats.</summary>
public enum BudgetPeriodKind
{
    /// <summary>A calendar day in the budget's time zone (23 or 25 hours long on a DST change).</summary>
    Day,

    /// <summary>An ISO week, Monday 00:00 to the next Monday 00:00, in the budget's time zone.</summary>
    Week,

    /// <summary>A calendar month in the budget's time zone.</summary>
    Month,

    /// <summary>A calendar quarter (starting January, April, July, October) in the budget's time zone.</summary>
    Quarter,

    /// <summary>One fixed range of dates, [from, to), that does not repeat.</summary>
    Fixed,
}

/// <summary>A period as UTC instants, start inclusive and end exclusive.</summary>
/// <param name="Start">The first instant of the period (UTC).</param>
/// <param name="End">The first instant after the period (UTC).</param>
public sealed record PeriodWindow(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The period's length; a day across a DST change is 23 or 25 hours.</summary>
    public TimeSpan Length => End - Start;

    /// <summary>Whether <paramref name="instant"/> lies in [<see cref="Start"/>, <see cref="End"/>).</summary>
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;
}

/// <summary>
/// When a budget's spend is counted: a recurring calendar period (day, week, month, quarter) or one fixed range of dates,
/// each boundary at local midnight in an IANA time zone. Build one with <see cref="Recurring"/> or <see cref="FixedRange"/>.
/// </summary>
public sealed record BudgetPeriod
{
    private BudgetPeriod(BudgetPeriodKind kind, TimeZoneInfo zone, DateOnly? from, DateOnly? to)
    {
        Kind = kind;
        Zone = zone;
        From = from;
        To = to;
    }

    /// <summary>Day, week, month, quarter or fixed.</summary>
    public BudgetPeriodKind Kind { get; }

    /// <summary>The time zone whose local midnights bound the period.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>The first day of a fixed range; null for a recurring period.</summary>
    public DateOnly? From { get; }

    /// <summary>The day after the last day of a fixed range (exclusive, as the costs API reads <c>to</c>); null for a recurring period.</summary>
    public DateOnly? To { get; }

    /// <summary>A period that repeats: day, week, month or quarter in <paramref name="zone"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is <see cref="BudgetPeriodKind.Fixed"/> or not a defined kind.</exception>
    public static BudgetPeriod Recurring(BudgetPeriodKind kind, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (kind == BudgetPeriodKind.Fixed || !Enum.IsDefined(kind))
        {
            throw new ArgumentException($"{kind} is not a recurring period; use FixedRange for a fixed one.", nameof(kind));
        }

        return new BudgetPeriod(kind, zone, null, null);
    }

    /// <summary>The fixed range [<paramref name="from"/>, <paramref name="to"/>) of local dates in <paramref name="zone"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    public static BudgetPeriod FixedRange(DateOnly from, DateOnly to, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (to <= from)
        {
            throw new ArgumentException($"The range must end after it starts ({from:yyyy-MM-dd} to {to:yyyy-MM-dd}).", nameof(to));
        }

        return new BudgetPeriod(BudgetPeriodKind.Fixed, zone, from, to);
    }

    /// <summary>
    /// The period holding <paramref name="instant"/>, as UTC instants: for a recurring period the day, week (from Monday),
    /// month or quarter around it in local time; for a fixed range the range itself, or null when the instant lies outside it.
    /// A boundary whose local midnight a DST change skips is the first valid instant after it.
    /// </summary>
    public PeriodWindow? Containing(DateTimeOffset instant)
    {
        if (Kind == BudgetPeriodKind.Fixed)
        {
            var range = Window(From!.Value, To!.Value);
            return range.Contains(instant) ? range : null;
        }

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);
        var (start, end) = Kind switch
        {
            BudgetPeriodKind.Day => (today, today.AddDays(1)),
            BudgetPeriodKind.Week => Week(today),
            BudgetPeriodKind.Month => (new DateOnly(today.Year, today.Month, 1), new DateOnly(today.Year, today.Month, 1).AddMonths(1)),
            BudgetPeriodKind.Quarter => Quarter(today),
            _ => throw new InvalidOperationException($"Unknown period kind {Kind}."),
        };
        return Window(start, end);
    }

    private static (DateOnly, DateOnly) Week(DateOnly day)
    {
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        return (monday, monday.AddDays(7));
    }

    private static (DateOnly, DateOnly) Quarter(DateOnly day)
    {
        var first = new DateOnly(day.Year, ((day.Month - 1) / 3 * 3) + 1, 1);
        return (first, first.AddMonths(3));
    }

    private PeriodWindow Window(DateOnly start, DateOnly end) =>
        new(TimeBuckets.AtLocalMidnight(start, Zone).ToUniversalTime(), TimeBuckets.AtLocalMidnight(end, Zone).ToUniversalTime());
}
