namespace TokenTally.Core.Forecasting;

/// <summary>
/// The point forecast: a weighted combination of the <see cref="SeasonalMethod"/>s that the history is long enough
/// for, each weighted by its mean absolute error to the power −6 over up to <see cref="ValidationWindows"/> windows of
/// <see cref="Step"/> hours at the end of the history (the method refitted before each window), so each series leans
/// on the methods that suit it.
/// </summary>
/// <remarks>
/// The same run also gives the ensemble's own rolling-origin backtest: origins <see cref="Step"/> hours apart, where
/// the ensemble is weighted and forecasts exactly as it would have with the history up to that origin. Each method is
/// fitted once per origin and the fits are shared by the validation windows of later origins.
/// </remarks>
internal sealed class EnsembleForecaster
{
    /// <summary>The length of a validation window and the spacing of backtest origins.</summary>
    public const int Step = 48;

    /// <summary>The validation windows, back from the end of the history (or of a backtest origin).</summary>
    public const int ValidationWindows = 4;

    // Sharp weighting: a method twice as accurate gets 64 times the weight, yet close methods are still averaged.
    private const double WeightPower = -6;
    private const int ShortProfileDays = 3;
    private const int LongProfileDays = 14;

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

    private static readonly SeasonalMethod Fallback = new(SeasonalShape.None, LevelMethod.Ses);

    private readonly double[] _z;

    // Forecasts of Step hours from origin n − Step·k, by k (≥ 1) and method index; filled on first use.
    private readonly Dictionary<(int K, int Method), double[]> _fits = [];

    private EnsembleForecaster(double[] z) => _z = z;

    /// <summary>Forecasts <paramref name="horizon"/> steps of the transformed series <paramref name="z"/>.</summary>
    public static double[] Forecast(double[] z, int horizon) => new EnsembleForecaster(z).ForecastAt(0, horizon);

    /// <summary>
    /// Forecasts <paramref name="horizon"/> steps of <paramref name="z"/> and backtests the ensemble at the origins
    /// n − <see cref="Step"/>·k for k = 1 … <paramref name="origins"/> that leave at least <paramref name="minimumOrigin"/> points.
    /// </summary>
    public static (double[] Forecast, List<(int Origin, double[] Forecast)> Backtest) ForecastWithBacktest(double[] z, int horizon, int origins, int minimumOrigin)
    {
        var ensemble = new EnsembleForecaster(z);
        var backtest = new List<(int, double[])>();
        for (var k = 1; k <= origins && z.Length - k * Step >= minimumOrigin; k++)
        {
            backtest.Add((z.Length - k * Step, ensemble.ForecastAt(k, Step)));
        }

        return (ensemble.ForecastAt(0, horizon), backtest);
    }

    /// <summary>
    /// Forecasts <paramref name="horizon"/> steps from the end of <paramref name="z"/> and from the earlier origins
    /// n − <see cref="Step"/>·k, k &lt; <paramref name="origins"/>, that leave at least <paramref name="minimumOrigin"/>
    /// points: a backtest of sums over a long horizon, sharing the validation fits.
    /// </summary>
    public static List<(int Origin, double[] Forecast)> ForecastFromOrigins(double[] z, int horizon, int origins, int minimumOrigin)
    {
        var ensemble = new EnsembleForecaster(z);
        var result = new List<(int, double[])>();
        for (var k = 0; k < origins && z.Length - k * Step >= minimumOrigin; k++)
        {
            result.Add((z.Length - k * Step, ensemble.ForecastAt(k, horizon)));
        }

        return result;
    }

    /// <summary>The ensemble's forecast from origin n − Step·k, weighted on the windows before that origin.</summary>
    private double[] ForecastAt(int k, int horizon)
    {
        var origin = _z.Length - k * Step;
        var result = new double[horizon];
        var usable = Enumerable.Range(0, Methods.Length).Where(m => origin >= Methods[m].MinimumLength).ToList();
        if (usable.Count == 0)
        {
            Fallback.Forecast(_z.AsSpan(0, origin), result);
            return result;
        }

        var validated = usable.Where(m => origin - Step >= Methods[m].MinimumLength).ToList();
        var weights = new double[usable.Count];
        if (validated.Count < 2)
        {
            // Too short to weigh the methods: an equal-weight mean.
            Array.Fill(weights, 1.0 / usable.Count);
        }
        else
        {
            usable = validated;
            weights = new double[usable.Count];
            for (var i = 0; i < usable.Count; i++)
            {
                weights[i] = Math.Pow(Math.Max(ValidationError(usable[i], k), 1e-9), WeightPower);
            }

            var total = weights.Sum();
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] /= total;
            }
        }

        for (var i = 0; i < usable.Count; i++)
        {
            var forecast = k > 0 && horizon == Step ? Fit(k, usable[i]) : FitFresh(origin, usable[i], horizon);
            for (var h = 0; h < horizon; h++)
            {
                result[h] += weights[i] * forecast[h];
            }
        }

        return result;
    }

    /// <summary>The method's mean absolute error over the validation windows before origin n − Step·k.</summary>
    private double ValidationError(int method, int k)
    {
        var error = 0.0;
        var windows = 0;
        for (var w = 1; w <= ValidationWindows; w++)
        {
            var origin = _z.Length - (k + w) * Step;
            if (origin < Methods[method].MinimumLength)
            {
                break;
            }

            var forecast = Fit(k + w, method);
            for (var h = 0; h < Step; h++)
            {
                error += Math.Abs(_z[origin + h] - forecast[h]);
            }

            windows++;
        }

        return error / (windows * Step);
    }

    private double[] Fit(int k, int method)
    {
        if (!_fits.TryGetValue((k, method), out var forecast))
        {
            forecast = FitFresh(_z.Length - k * Step, method, Step);
            _fits[(k, method)] = forecast;
        }

        return forecast;
    }

    private double[] FitFresh(int origin, int method, int horizon)
    {
        var forecast = new double[horizon];
        Methods[method].Forecast(_z.AsSpan(0, origin), forecast);
        return forecast;
    }
}
