namespace TokenTally.Core.Anomalies;

/// <summary>
/// One robust additive Holt-Winters model without trend (after Gelper, Fried and Croux 2010): a level, optionally a daily
/// profile and a weekly correction to it, and a noise scale, all updated with the one-step error clipped at a few
/// standard deviations.
/// </summary>
internal sealed class RobustSeasonalModel
{
    private const double MadToStandardDeviation = 1.2533; // √(π/2): mean absolute error → standard deviation, for normal noise

    private const double TrackRecordSmoothing = 0.005; // a memory of about 200 steps for choosing between models

    private readonly double[] daily;
    private readonly double[] weekly;
    private readonly int[] dailyVisits;
    private readonly int[] weeklyVisits;
    private double level;
    private double meanAbsoluteError;
    private long updates;
    private long judged;

    public RobustSeasonalModel(int dailyLength, int weeklyLength, double calibrationMemorySteps)
    {
        Calibration = new TailCalibration(calibrationMemorySteps);
        daily = new double[dailyLength];
        dailyVisits = new int[dailyLength];
        weekly = new double[weeklyLength];
        weeklyVisits = new int[weeklyLength];
    }

    /// <summary>The steps a model needs seen before its forecasts are trusted: two full cycles of its longest season.</summary>
    public int Maturity => 2 * Math.Max(weekly.Length, daily.Length);

    /// <summary>The long-run mean absolute error of the one-step forecasts, for choosing between models.</summary>
    public double TrackRecord { get; private set; }

    /// <summary>How heavy-tailed this model's standardised errors are.</summary>
    public TailCalibration Calibration { get; }

    /// <summary>The standard deviation of the noise around the forecast.</summary>
    public double StandardDeviation => MadToStandardDeviation * meanAbsoluteError;

    public double Forecast(long t) =>
        level + (daily.Length > 0 ? daily[t % daily.Length] : 0.0) + (weekly.Length > 0 ? weekly[t % weekly.Length] : 0.0);

    /// <summary>Moves the level by <paramref name="delta"/>: a confirmed level shift.</summary>
    public void Shift(double delta) => level += delta;

    public void Update(long t, double value, double floor, long warmUpSteps, AnomalyDetectorOptions options)
    {
        var error = value - Forecast(t);
        updates++;
        if (updates == 1)
        {
            level = value;
            return;
        }

        var sd = Math.Max(StandardDeviation, floor);
        // Until every phase has been seen once, errors carry the season itself: clipping them would stunt the profile.
        var learning = updates <= Math.Max(warmUpSteps, Maturity / 2);
        var bound = learning ? double.PositiveInfinity : options.HuberBound * sd;
        var clipped = Math.Clamp(error, -bound, bound);

        var alpha = Math.Max(daily.Length + weekly.Length > 0 ? options.SeasonalLevelSmoothing : options.LevelSmoothing, 1.0 / updates);
        level += alpha * clipped;
        var rest = (1.0 - alpha) * clipped;
        if (daily.Length > 0)
        {
            var p = (int)(t % daily.Length);
            var gamma = Math.Max(options.SeasonalSmoothing, 1.0 / ++dailyVisits[p]);
            daily[p] += gamma * rest;
            rest *= 1.0 - gamma;
        }

        if (weekly.Length > 0)
        {
            var p = (int)(t % weekly.Length);
            weekly[p] += Math.Max(options.SeasonalSmoothing, 1.0 / ++weeklyVisits[p]) * rest;
        }

        var lambda = Math.Max(options.ScaleSmoothing, 1.0 / (updates - 1));
        var absError = Math.Min(Math.Abs(error), learning ? double.PositiveInfinity : 4.0 * sd);
        meanAbsoluteError += lambda * (absError - meanAbsoluteError);
        if (!learning)
        {
            // Judged only once it has seen every phase: its errors while learning the season say nothing of its forecasts.
            TrackRecord += Math.Max(TrackRecordSmoothing, 1.0 / ++judged) * (Math.Min(Math.Abs(error), 4.0 * sd) - TrackRecord);
        }
    }
}
