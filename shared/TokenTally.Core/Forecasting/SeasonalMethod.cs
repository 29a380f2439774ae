namespace TokenTally.Core.Forecasting;

/// <summary>The point forecasting methods the ensemble combines; each works on the (log-)transformed series.</summary>
internal enum SeasonalMethod
{
    /// <summary>The last day repeated.</summary>
    SeasonalNaiveDay,

    /// <summary>The last week repeated.</summary>
    SeasonalNaiveWeek,

    /// <summary>A daily profile plus the level from simple exponential smoothing of the deseasonalised series.</summary>
    DailyProfileSes,

    /// <summary>A daily plus weekly profile plus the SES level of the deseasonalised series.</summary>
    WeeklyProfileSes,

    /// <summary>A daily plus weekly profile plus the Theta forecast of the deseasonalised series.</summary>
    WeeklyProfileTheta,

    /// <summary>A daily profile plus the Theta forecast of the deseasonalised series.</summary>
    DailyProfileTheta,

    /// <summary>Simple exponential smoothing of the series itself (no seasonality): for short histories.</summary>
    Ses,
}

/// <summary>Forecasts with one <see cref="SeasonalMethod"/>.</summary>
internal static class SeasonalMethods
{
    public const int Day = 24;
    public const int Week = 168;

    /// <summary>The recent days that enter a daily profile and the recent weeks that enter a weekly one.</summary>
    public const int ProfileDays = 28;
    public const int ProfileWeeks = 4;

    /// <summary>The fewest points with which <paramref name="method"/> is used.</summary>
    public static int MinimumLength(SeasonalMethod method) => method switch
    {
        SeasonalMethod.SeasonalNaiveDay or SeasonalMethod.DailyProfileSes or SeasonalMethod.DailyProfileTheta => 2 * Day,
        SeasonalMethod.SeasonalNaiveWeek or SeasonalMethod.WeeklyProfileSes or SeasonalMethod.WeeklyProfileTheta => 2 * Week,
        _ => 1,
    };

    /// <summary>Writes the forecast of <paramref name="z"/> by <paramref name="method"/> into <paramref name="forecast"/>.</summary>
    public static void Forecast(SeasonalMethod method, ReadOnlySpan<double> z, Span<double> forecast)
    {
        var n = z.Length;
        switch (method)
        {
            case SeasonalMethod.SeasonalNaiveDay:
                Repeat(z, Day, forecast);
                break;
            case SeasonalMethod.SeasonalNaiveWeek:
                Repeat(z, Week, forecast);
                break;
            case SeasonalMethod.Ses:
                forecast.Fill(ExponentialSmoothing.Ses(z).Level);
                break;
            default:
                var weekly = method is SeasonalMethod.WeeklyProfileSes or SeasonalMethod.WeeklyProfileTheta;
                var profile = SeasonalProfile.Estimate(z, weekly, ProfileDays, ProfileWeeks, 1.0);
                var deseasonalised = profile.Deseasonalise(z);
                if (method is SeasonalMethod.WeeklyProfileTheta or SeasonalMethod.DailyProfileTheta)
                {
                    ExponentialSmoothing.Theta(deseasonalised, forecast);
                }
                else
                {
                    forecast.Fill(ExponentialSmoothing.Ses(deseasonalised).Level);
                }

                for (var h = 0; h < forecast.Length; h++)
                {
                    forecast[h] += profile.At(n + h, n);
                }

                break;
        }
    }

    private static void Repeat(ReadOnlySpan<double> z, int period, Span<double> forecast)
    {
        for (var h = 0; h < forecast.Length; h++)
        {
            forecast[h] = z[z.Length - period + (h % period)];
        }
    }
}
