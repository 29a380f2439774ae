namespace TokenTally.Core.Forecasting;

/// <summary>The seasonal component a method removes before forecasting the level, and adds back after.</summary>
internal enum SeasonalShape
{
    /// <summary>None: the method forecasts the series itself.</summary>
    None,

    /// <summary>A 24-hour profile.</summary>
    Daily,

    /// <summary>A 24-hour plus a 168-hour profile.</summary>
    Weekly,
}

/// <summary>How a method forecasts the deseasonalised level.</summary>
internal enum LevelMethod
{
    /// <summary>The last seasonal cycle repeated (seasonal naive; the shape gives the cycle).</summary>
    Repeat,

    /// <summary>Simple exponential smoothing: a flat level.</summary>
    Ses,

    /// <summary>The Theta method: SES plus half the linear trend.</summary>
    Theta,
}

/// <summary>
/// One point forecasting method of the ensemble, working on the log-transformed series: a seasonal shape, a level
/// method and how many recent days the daily profile is estimated from.
/// </summary>
/// <param name="Shape">The seasonality removed and added back.</param>
/// <param name="Level">How the level is forecast.</param>
/// <param name="ProfileDays">The recent days the daily profile averages (the weekly profile always uses up to <see cref="ProfileWeeks"/> weeks).</param>
internal readonly record struct SeasonalMethod(SeasonalShape Shape, LevelMethod Level, int ProfileDays = 0)
{
    public const int Day = 24;
    public const int Week = 168;

    /// <summary>The recent weeks that enter a weekly profile.</summary>
    public const int ProfileWeeks = 4;

    /// <summary>The fewest points with which the method is used: two cycles of its season.</summary>
    public int MinimumLength => Shape switch
    {
        SeasonalShape.Daily => 2 * Day,
        SeasonalShape.Weekly => 2 * Week,
        _ => 1,
    };

    /// <summary>Writes the forecast of <paramref name="z"/> into <paramref name="forecast"/>.</summary>
    public void Forecast(ReadOnlySpan<double> z, Span<double> forecast)
    {
        var n = z.Length;
        if (Level == LevelMethod.Repeat)
        {
            var period = Shape == SeasonalShape.Weekly ? Week : Shape == SeasonalShape.Daily ? Day : 1;
            for (var h = 0; h < forecast.Length; h++)
            {
                forecast[h] = z[n - period + (h % period)];
            }

            return;
        }

        var profile = Shape == SeasonalShape.None
            ? SeasonalProfile.None
            : SeasonalProfile.Estimate(z, Shape == SeasonalShape.Weekly, ProfileDays, ProfileWeeks);
        var deseasonalised = profile.Deseasonalise(z);
        if (Level == LevelMethod.Theta)
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
    }
}
