using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TokenTally.Core.Scheduling;

/// <summary>
/// A schedule written as an Azure Functions timer-trigger NCRONTAB expression,
/// <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, evaluated in UTC.
/// </summary>
/// <remarks>
/// <para>
/// Fields are separated by whitespace. Each field is <c>*</c>, a value, a range <c>a-b</c>, a step <c>*/n</c>,
/// <c>a-b/n</c> or <c>a/n</c> (from <c>a</c> to the field's maximum), or a comma-separated list of these.
/// Ranges are seconds 0-59, minutes 0-59, hours 0-23, days 1-31, months 1-12 (or Jan-Dec) and days of the week 0-6
/// (or Sun-Sat) with Sunday = 0; as in NCrontab, 7 is not accepted. Names are three-letter abbreviations or full
/// English names, in any case.
/// </para>
/// <para>
/// A five-field expression (no seconds) is accepted, as the Functions host accepts it, and fires at second 0.
/// </para>
/// <para>When day of month and day of week are both restricted, a date must match both (NCrontab's AND, not Vixie cron's OR).</para>
/// </remarks>
public sealed class NCrontabSchedule
{
    // The Gregorian calendar repeats every 400 years, so a schedule with no occurrence in that span never fires.
    private const int SearchYears = 400;

    private static readonly CronFieldKind[] FieldKinds =
    [
        CronFieldKind.Second, CronFieldKind.Minute, CronFieldKind.Hour,
        CronFieldKind.DayOfMonth, CronFieldKind.Month, CronFieldKind.DayOfWeek,
    ];

    private static readonly DateTime EndOfTime = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);

    private readonly CronField _seconds;
    private readonly CronField _minutes;
    private readonly CronField _hours;
    private readonly CronField _days;
    private readonly CronField _months;
    private readonly CronField _daysOfWeek;

    private NCrontabSchedule(string expression, CronField[] fields)
    {
        Expression = expression;
        _seconds = fields[0];
        _minutes = fields[1];
        _hours = fields[2];
        _days = fields[3];
        _months = fields[4];
        _daysOfWeek = fields[5];
    }

    /// <summary>The expression this schedule was parsed from, exactly as given.</summary>
    public string Expression { get; }

    /// <summary>Parses an NCRONTAB expression of six fields, or five without seconds.</summary>
    /// <param name="expression">The expression, for example <c>0 5 * * * *</c> (five minutes past every hour).</param>
    /// <returns>The parsed schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">
    /// The expression is malformed; the message quotes the expression and names the offending field,
    /// for example <c>minute field '61' is out of range 0-59</c>.
    /// </exception>
    public static NCrontabSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return TryParse(expression, out var schedule, out var error) ? schedule : throw new FormatException(error);
    }

    /// <summary>Parses an NCRONTAB expression of six fields, or five without seconds, without throwing.</summary>
    /// <param name="expression">The expression; <see langword="null"/> is reported as an error.</param>
    /// <param name="schedule">The parsed schedule, or <see langword="null"/> when parsing fails.</param>
    /// <param name="error">
    /// When parsing fails, a message that quotes the expression and names the offending field; otherwise <see langword="null"/>.
    /// </param>
    /// <returns><see langword="true"/> when the expression is valid.</returns>
    public static bool TryParse(
        string expression,
        [NotNullWhen(true)] out NCrontabSchedule? schedule,
        [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        if (expression is null)
        {
            error = "Invalid NCRONTAB expression: the expression is null.";
            return false;
        }

        var tokens = expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            error = Invalid(expression, "the expression is empty");
            return false;
        }

        if (tokens.Length is not (5 or 6))
        {
            error = Invalid(
                expression,
                $"expected 6 fields ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}) or 5 without seconds, found {tokens.Length}");
            return false;
        }

        var fields = new CronField[6];
        var firstKind = 0;
        if (tokens.Length == 5)
        {
            fields[0] = CronField.Single(0);
            firstKind = 1;
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            if (!CronField.TryParse(FieldKinds[firstKind + i], tokens[i], out fields[firstKind + i], out var fieldError))
            {
                error = Invalid(expression, fieldError);
                return false;
            }
        }

        schedule = new NCrontabSchedule(expression, fields);
        error = null;
        return true;
    }

    /// <summary>Finds the first occurrence strictly after <paramref name="after"/>.</summary>
    /// <param name="after">The instant to search from, in any offset; it is converted to UTC.</param>
    /// <returns>The next occurrence, in UTC (offset zero), at a whole second.</returns>
    /// <exception cref="InvalidOperationException">
    /// The schedule has no occurrence within 400 years after <paramref name="after"/> (so it never fires, for example on
    /// February 30) or before the end of year 9999.
    /// </exception>
    public DateTimeOffset GetNextOccurrence(DateTimeOffset after)
    {
        var start = FirstWholeSecondAfter(after.UtcDateTime);
        var end = start is { } s && s.Year <= DateTime.MaxValue.Year - SearchYears ? s.AddYears(SearchYears) : EndOfTime;
        if (start is { } from && FindNext(from, end) is { } next)
        {
            return new DateTimeOffset(next);
        }

        throw new InvalidOperationException(string.Create(
            CultureInfo.InvariantCulture,
            $"NCRONTAB expression '{Expression}' has no occurrence after {after.UtcDateTime:O} within {SearchYears} years or before the end of year 9999; a schedule such as day 30 of February never fires."));
    }

    /// <summary>Enumerates, lazily and in order, the occurrences strictly between two instants.</summary>
    /// <param name="fromExclusive">The instant to start after; it is converted to UTC.</param>
    /// <param name="toExclusive">The instant to stop before; it is converted to UTC.</param>
    /// <returns>
    /// The occurrences in UTC (offset zero); empty when <paramref name="toExclusive"/> is not after
    /// <paramref name="fromExclusive"/> or when the schedule never fires in between. Never throws for a schedule that cannot fire.
    /// </returns>
    public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset fromExclusive, DateTimeOffset toExclusive)
    {
        var end = toExclusive.UtcDateTime;
        var start = FirstWholeSecondAfter(fromExclusive.UtcDateTime);
        while (start is { } from && FindNext(from, end) is { } next)
        {
            yield return new DateTimeOffset(next);
            start = FirstWholeSecondAfter(next);
        }
    }

    /// <summary>Returns the expression this schedule was parsed from.</summary>
    /// <returns>The expression, exactly as given.</returns>
    public override string ToString() => Expression;

    private static string Invalid(string expression, string detail) => $"Invalid NCRONTAB expression '{expression}': {detail}.";

    private static DateTime? FirstWholeSecondAfter(DateTime utc)
    {
        var ticks = utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond;
        return ticks <= DateTime.MaxValue.Ticks ? new DateTime(ticks, DateTimeKind.Utc) : null;
    }

    /// <summary>
    /// The first matching instant at or after <paramref name="start"/> and before <paramref name="endExclusive"/>.
    /// Each field is advanced to its next allowed value; when a field has none left, the next larger unit is
    /// incremented and the smaller ones reset. Every pass moves forward by at least a month, a day, an hour or a
    /// minute, or returns, so the loop runs at most a few times per month searched.
    /// </summary>
    private DateTime? FindNext(DateTime start, DateTime endExclusive)
    {
        var t = start;
        while (t < endExclusive)
        {
            var month = _months.NextAtOrAfter(t.Month);
            if (month < 0)
            {
                t = StartOfMonthAfter(t.Year, 12);
                continue;
            }

            if (month != t.Month)
            {
                t = Utc(t.Year, month, 1);
            }

            var day = NextDay(t.Year, t.Month, t.Day);
            if (day < 0)
            {
                t = StartOfMonthAfter(t.Year, t.Month);
                continue;
            }

            if (day != t.Day)
            {
                t = Utc(t.Year, t.Month, day);
            }

            var hour = _hours.NextAtOrAfter(t.Hour);
            if (hour < 0)
            {
                t = AddSafely(t.Date, TimeSpan.FromDays(1));
                continue;
            }

            if (hour != t.Hour)
            {
                t = t.Date.AddHours(hour);
            }

            var minute = _minutes.NextAtOrAfter(t.Minute);
            if (minute < 0)
            {
                t = AddSafely(Truncate(t, TimeSpan.TicksPerHour), TimeSpan.FromHours(1));
                continue;
            }

            if (minute != t.Minute)
            {
                t = Truncate(t, TimeSpan.TicksPerHour).AddMinutes(minute);
            }

            var second = _seconds.NextAtOrAfter(t.Second);
            if (second < 0)
            {
                t = AddSafely(Truncate(t, TimeSpan.TicksPerMinute), TimeSpan.FromMinutes(1));
                continue;
            }

            t = Truncate(t, TimeSpan.TicksPerMinute).AddSeconds(second);
            return t < endExclusive ? t : null;
        }

        return null;
    }

    /// <summary>The first day from <paramref name="fromDay"/> in the month allowed by both day fields, or -1.</summary>
    private int NextDay(int year, int month, int fromDay)
    {
        var daysInMonth = DateTime.DaysInMonth(year, month);
        var dayOfWeekOfFirst = (int)new DateTime(year, month, 1).DayOfWeek;
        for (var day = _days.NextAtOrAfter(fromDay); day > 0 && day <= daysInMonth; day = _days.NextAtOrAfter(day + 1))
        {
            if (_daysOfWeek.Contains((dayOfWeekOfFirst + day - 1) % 7))
            {
                return day;
            }
        }

        return -1;
    }

    private static DateTime Utc(int year, int month, int day) => new(year, month, day, 0, 0, 0, DateTimeKind.Utc);

    private static DateTime StartOfMonthAfter(int year, int month) => month < 12
        ? Utc(year, month + 1, 1)
        : year < DateTime.MaxValue.Year ? Utc(year + 1, 1, 1) : EndOfTime;

    private static DateTime Truncate(DateTime t, long unitTicks) => new(t.Ticks - (t.Ticks % unitTicks), DateTimeKind.Utc);

    private static DateTime AddSafely(DateTime t, TimeSpan span) =>
        t.Ticks <= DateTime.MaxValue.Ticks - span.Ticks ? t.Add(span) : EndOfTime;
}
