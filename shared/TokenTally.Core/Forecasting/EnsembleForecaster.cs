namespace TokenTally.Core.Forecasting;

/// <summary>
/// The point forecast: a weighted combination of the <see cref="SeasonalMethod"/>s that the history is long enough
/// for, each weighted by the inverse square of its error on the last <see cref="ValidationHours"/> hours of the
/// history (methods refitted without them), so each series leans on the methods that suit it.
/// </summary>
internal static class EnsembleForecaster
{
    /// <summary>The holdout at the end of the history on which the methods are weighted.</summary>
    public const int ValidationHours = 48;

    private static readonly SeasonalMethod[] Methods =
    [
        SeasonalMethod.SeasonalNaiveDay,
        SeasonalMethod.SeasonalNaiveWeek,
        SeasonalMethod.DailyProfileSes,
        SeasonalMethod.WeeklyProfileSes,
        SeasonalMethod.WeeklyProfileTheta,
        SeasonalMethod.DailyProfileTheta,
    ];

    /// <summary>Forecasts <paramref name="horizon"/> steps of the transformed series <paramref name="z"/>.</summary>
    public static double[] Forecast(ReadOnlySpan<double> z, int horizon)
    {
        var n = z.Length;
        var result = new double[horizon];
        var usable = Methods.Where(m => n >= SeasonalMethods.MinimumLength(m)).ToList();
        if (usable.Count == 0)
        {
            SeasonalMethods.Forecast(SeasonalMethod.Ses, z, result);
            return result;
        }

        var validated = usable.Where(m => n - ValidationHours >= SeasonalMethods.MinimumLength(m)).ToList();
        if (validated.Count < 2)
        {
            // Too short to weigh the methods: an equal-weight mean.
            validated = usable;
            var weightsEqual = Enumerable.Repeat(1.0 / usable.Count, usable.Count).ToArray();
            Combine(z, usable, weightsEqual, result);
            return result;
        }

        var training = z[..(n - ValidationHours)];
        var holdout = z[(n - ValidationHours)..];
        var scratch = new double[ValidationHours];
        var weights = new double[validated.Count];
        for (var i = 0; i < validated.Count; i++)
        {
            SeasonalMethods.Forecast(validated[i], training, scratch);
            var error = 0.0;
            for (var h = 0; h < ValidationHours; h++)
            {
                error += Math.Abs(holdout[h] - scratch[h]);
            }

            error = Math.Max(error / ValidationHours, 1e-9);
            weights[i] = 1 / (error * error);
        }

        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= total;
        }

        Combine(z, validated, weights, result);
        return result;
    }

    private static void Combine(ReadOnlySpan<double> z, IReadOnlyList<SeasonalMethod> methods, double[] weights, double[] result)
    {
        var scratch = new double[result.Length];
        for (var i = 0; i < methods.Count; i++)
        {
            SeasonalMethods.Forecast(methods[i], z, scratch);
            for (var h = 0; h < result.Length; h++)
            {
                result[h] += weights[i] * scratch[h];
            }
        }
    }
}
