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

    /// <summary>The holdout windows, each <see cref="ValidationHours"/> long, back from the end of the history.</summary>
    public const int ValidationWindows = 4;

    private static readonly SeasonalMethod[] Methods =
    [
        new(SeasonalShape.Daily, LevelMethod.Repeat),
        new(SeasonalShape.Weekly, LevelMethod.Repeat),
        new(SeasonalShape.Daily, LevelMethod.Ses, ShortProfileDays),
        new(SeasonalShape.Daily, LevelMethod.Theta, ShortProfileDays),
        new(SeasonalShape.Daily, LevelMethod.Ses, LongProfileDays),
        new(SeasonalShape.Daily, LevelMethod.Theta, LongProfileDays),
        new(SeasonalShape.Weekly, LevelMethod.Ses, ShortProfileDays),
        new(SeasonalShape.Weekly, LevelMethod.Theta, ShortProfileDays),
        new(SeasonalShape.Weekly, LevelMethod.Ses, LongProfileDays),
        new(SeasonalShape.Weekly, LevelMethod.Theta, LongProfileDays),
    ];

    private const int ShortProfileDays = 3;
    private const int LongProfileDays = 14;

    /// <summary>Forecasts <paramref name="horizon"/> steps of the transformed series <paramref name="z"/>.</summary>
    public static double[] Forecast(ReadOnlySpan<double> z, int horizon)
    {
        var n = z.Length;
        var result = new double[horizon];
        var usable = Methods.Where(m => n >= m.MinimumLength).ToList();
        if (usable.Count == 0)
        {
            new SeasonalMethod(SeasonalShape.None, LevelMethod.Ses).Forecast(z, result);
            return result;
        }

        var validated = usable.Where(m => n - ValidationHours >= m.MinimumLength).ToList();
        if (validated.Count < 2)
        {
            // Too short to weigh the methods: an equal-weight mean.
            validated = usable;
            var weightsEqual = Enumerable.Repeat(1.0 / usable.Count, usable.Count).ToArray();
            Combine(z, usable, weightsEqual, result);
            return result;
        }

        var scratch = new double[ValidationHours];
        var weights = new double[validated.Count];
        for (var i = 0; i < validated.Count; i++)
        {
            var error = 0.0;
            var windows = 0;
            for (var w = 1; w <= ValidationWindows; w++)
            {
                var origin = n - w * ValidationHours;
                if (origin < validated[i].MinimumLength && w > 1)
                {
                    break;
                }

                validated[i].Forecast(z[..origin], scratch);
                for (var h = 0; h < ValidationHours; h++)
                {
                    error += Math.Abs(z[origin + h] - scratch[h]);
                }

                windows++;
            }

            error = Math.Max(error / (windows * ValidationHours), 1e-9);
            weights[i] = Math.Pow(error, -6);
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
            methods[i].Forecast(z, scratch);
            for (var h = 0; h < result.Length; h++)
            {
                result[h] += weights[i] * scratch[h];
            }
        }
    }
}
