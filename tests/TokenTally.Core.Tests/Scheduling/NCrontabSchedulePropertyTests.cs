using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Scheduling;

namespace TokenTally.Core.Tests.Scheduling;

public sealed class NCrontabSchedulePropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400);

    [Fact]
    public void NextOccurrenceAgreesWithABruteForceReference()
    {
        var property = Prop.ForAll(ScheduleCases.ToArbitrary(), c =>
        {
            var schedule = NCrontabSchedule.Parse(c.Expression);
            var expected = c.Reference.FindNext(c.After);

            if (expected is null)
            {
                Assert.Throws<InvalidOperationException>(() => schedule.GetNextOccurrence(c.After));
            }
            else
            {
                var actual = schedule.GetNextOccurrence(c.After);
                Assert.Equal(expected.Value, actual);
                Assert.Equal(TimeSpan.Zero, actual.Offset);
            }
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void OccurrencesAreTheSuccessiveReferenceMatchesWithinTheRange()
    {
        var property = Prop.ForAll(ScheduleCases.ToArbitrary(), c =>
        {
            var schedule = NCrontabSchedule.Parse(c.Expression);
            var until = c.After.AddDays(40);

            var listed = schedule.GetOccurrences(c.After, until).Take(4).ToList();

            var chained = new List<DateTimeOffset>();
            var cursor = c.After;
            while (chained.Count < 4 && c.Reference.FindNext(cursor) is { } next && next < until)
            {
                chained.Add(next);
                cursor = next;
            }

            Assert.Equal(chained, listed);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), property);
    }

    [Fact]
    public void ParsingArbitraryTextNeverThrowsAndAlwaysExplainsARejection()
    {
        var alphabet = "0123456789*/-, ?#LWxMonJanSuDecFri\t".ToCharArray();
        var text = Gen.Choose(0, 40)
            .SelectMany(length => Gen.Elements(alphabet).ArrayOf(length))
            .Select(chars => new string(chars));

        var property = Prop.ForAll(text.ToArbitrary(), expression =>
        {
            if (NCrontabSchedule.TryParse(expression, out var schedule, out var error))
            {
                Assert.Equal(expression, schedule.Expression);
            }
            else
            {
                Assert.StartsWith($"Invalid NCRONTAB expression '{expression}': ", error, StringComparison.Ordinal);
                Assert.Equal(error, Assert.Throws<FormatException>(() => NCrontabSchedule.Parse(expression)).Message);
            }
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property);
    }

    private static Gen<ScheduleCase> ScheduleCases =>
        from omitSeconds in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        from seconds in FieldGen(0, 59, [])
        from minutes in FieldGen(0, 59, [])
        from hours in FieldGen(0, 23, [])
        from days in FieldGen(1, 31, [])
        from months in FieldGen(1, 12, MonthNames)
        from daysOfWeek in FieldGen(0, 6, DayNames)
        from after in Instants
        let secondsField = omitSeconds ? new GeneratedField("", new HashSet<int> { 0 }) : seconds
        let expression = string.Join(' ', new[] { secondsField, minutes, hours, days, months, daysOfWeek }
            .Where(f => f.Text.Length > 0)
            .Select(f => f.Text))
        select new ScheduleCase(
            expression,
            after,
            new BruteForceSchedule(secondsField.Values, minutes.Values, hours.Values, days.Values, months.Values, daysOfWeek.Values));

    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// <summary>A field as text together with the values it means, computed from the generator's choices rather than by parsing.</summary>
    private static Gen<GeneratedField> FieldGen(int min, int max, string[] names)
    {
        var value = Gen.Choose(min, max);
        var range = from a in value from b in value select (First: Math.Min(a, b), Last: Math.Max(a, b));
        var step = Gen.Choose(1, max - min + 3);

        Gen<string> Render(int v) => names.Length == 0
            ? Gen.Constant(v.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : Gen.Elements(
                v.ToString(System.Globalization.CultureInfo.InvariantCulture),
                names[v - min][..3],
                names[v - min][..3].ToUpperInvariant(),
                names[v - min].ToLowerInvariant());

        static HashSet<int> Stepped(int first, int last, int by) =>
            [.. Enumerable.Range(first, last - first + 1).Where(v => (v - first) % by == 0)];

        var item = Gen.Frequency(
            (4, Gen.Constant(new GeneratedField("*", Stepped(min, max, 1)))),
            (2, from n in step select new GeneratedField($"*/{n}", Stepped(min, max, n))),
            (3, from v in value from t in Render(v) select new GeneratedField(t, [v])),
            (2, from r in range from a in Render(r.First) from b in Render(r.Last)
                select new GeneratedField($"{a}-{b}", Stepped(r.First, r.Last, 1))),
            (1, from r in range from n in step from a in Render(r.First) from b in Render(r.Last)
                select new GeneratedField($"{a}-{b}/{n}", Stepped(r.First, r.Last, n))),
            (1, from v in value from n in step from a in Render(v)
                select new GeneratedField($"{a}/{n}", Stepped(v, max, n))));

        return from count in Gen.Frequency((6, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(3)))
               from items in item.ListOf(count)
               select new GeneratedField(
                   string.Join(',', items.Select(i => i.Text)),
                   [.. items.SelectMany(i => i.Values)]);
    }

    /// <summary>Instants from 1995 to 2205 (spanning the non-leap year 2100), in random offsets, often on a whole second.</summary>
    private static Gen<DateTimeOffset> Instants =>
        from day in Gen.Choose(0, 210 * 365)
        from secondOfDay in Gen.Choose(0, 86_399)
        from fraction in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 9_999_999)))
        from offsetQuarters in Gen.Choose(-14 * 4, 14 * 4)
        let utc = new DateTime(1995, 1, 1, 0, 0, 0, DateTimeKind.Utc)
            .AddDays(day)
            .AddSeconds(secondOfDay)
            .AddTicks(fraction)
        select new DateTimeOffset(utc).ToOffset(TimeSpan.FromMinutes(offsetQuarters * 15));

    private sealed record GeneratedField(string Text, HashSet<int> Values);

    private sealed record ScheduleCase(string Expression, DateTimeOffset After, BruteForceSchedule Reference)
    {
        public override string ToString() => $"'{Expression}' after {After:O}";
    }

    /// <summary>
    /// Reference implementation: walks forward one second at a time and tests every field. Days whose date does not
    /// match are skipped whole, since none of their seconds can match; that keeps a 400-year search (one full
    /// Gregorian cycle, after which a schedule that has not fired never will) cheap enough to run hundreds of times.
    /// </summary>
    private sealed class BruteForceSchedule(
        HashSet<int> seconds, HashSet<int> minutes, HashSet<int> hours,
        HashSet<int> days, HashSet<int> months, HashSet<int> daysOfWeek)
    {
        private readonly bool[] _seconds = Flags(seconds, 60);
        private readonly bool[] _minutes = Flags(minutes, 60);
        private readonly bool[] _hours = Flags(hours, 24);
        private readonly bool[] _days = Flags(days, 32);
        private readonly bool[] _months = Flags(months, 13);
        private readonly bool[] _daysOfWeek = Flags(daysOfWeek, 7);

        public DateTimeOffset? FindNext(DateTimeOffset after)
        {
            var utc = after.UtcDateTime;
            var first = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(1);
            var limit = first.AddYears(400);

            for (var date = first.Date; date < limit; date = date.AddDays(1))
            {
                if (!_months[date.Month] || !_days[date.Day] || !_daysOfWeek[(int)date.DayOfWeek])
                {
                    continue;
                }

                var startSecond = date == first.Date ? (int)first.TimeOfDay.TotalSeconds : 0;
                for (var s = startSecond; s < 86_400; s++)
                {
                    if (_hours[s / 3600] && _minutes[s / 60 % 60] && _seconds[s % 60])
                    {
                        return new DateTimeOffset(date.AddSeconds(s));
                    }
                }
            }

            return null;
        }

        private static bool[] Flags(HashSet<int> values, int size)
        {
            var flags = new bool[size];
            foreach (var value in values)
            {
                flags[value] = true;
            }

            return flags;
        }
    }
}
