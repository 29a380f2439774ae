namespace TokenTally.Core.Rollups;

/// <summary>How long one point of a cost series is.</summary>
public enum Granularity
{
    /// <summary>One UTC hour.</summary>
    Hour,

    /// <summary>A calendar day in the query's time zone.</summary>
    Day,

    /// <summary>An ISO week (Monday to Sunday) in the query's time zone.</summary>
    Week,

    /// <summary>A calendar month in the query's time zone.</summary>
    Month,
}

/// <summary>Assigns hourly rollups to day, week and month buckets of an IANA time zone.</summary>
public static class TimeBuckets
{
    /// <summary>
    /// The start of the bucket holding the hour that starts at <paramref name="hourUtc"/>, as a local
    /// time with its offset. An hour belongs to the bucket its start falls in (in zones with a
    /// half-hour offset a day's first local half hour is the previous day's last UTC hour).
    /// </summary>
    public static DateTimeOffset BucketStart(DateTimeOffset hourUtc, Granularity granularity, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (granularity == Granularity.Hour)
        {
            return hourUtc.ToUniversalTime();
        }

        var local = TimeZoneInfo.ConvertTime(hourUtc, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var start = granularity switch
        {
            Granularity.Day => date,
            Granularity.Week => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
            Granularity.Month => new DateOnly(date.Year, date.Month, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "Unknown granularity."),
        };
        return AtLocalMidnight(start, zone);
    }

    /// <summary>The start of the UTC hour holding <paramref name="time"/>.</summary>
    public static DateTimeOffset HourStart(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The UTC hour <paramref name="time"/> falls in, as <c>yyyy-MM-ddTHH</c>: how stores and instance ids name an hour.</summary>
    public static string HourKey(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads an hour named by <see cref="HourKey"/>; false for anything else.</summary>
    public static bool TryParseHourKey(string text, out DateTimeOffset hour) =>
        DateTimeOffset.TryParseExact(text + ":00:00Z", "yyyy-MM-dd'T'HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal, out hour);

    /// <summary>Local midnight of <paramref name="date"/> in <paramref name="zone"/> (the first valid instant when midnight is skipped by DST).</summary>
    public static DateTimeOffset AtLocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }

        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }
}
