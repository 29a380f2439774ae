namespace TokenTally.Core.Anomalies;

/// <summary>
/// Scores the points of one series as they arrive, each from the points before it only (causal), in O(1) time per
/// point and without allocating after construction.
/// </summary>
/// <remarks>
/// <para>
/// <b>Baseline.</b> Three robust Holt-Winters models run side by side: level only, level plus a daily profile, and level
/// plus a weekly profile, with season lengths from the step (<see cref="SeasonLengths"/>). The weekly profile holds the
/// daily cycle of each weekday: nesting a weekly correction on a shared daily profile makes the two chase each other
/// every weekend. A seasonal
/// model is used once it has seen two cycles of its season and its long-run error is clearly lower than the simpler
/// model's, so seasonality is used where the series has it. Errors are clipped at <see cref="AnomalyDetectorOptions.HuberBound"/>
/// standard deviations before they update the models, which keeps the baseline and the noise scale robust to the spikes
/// the detector looks for; the errors' tail is calibrated per series (<see cref="TailCalibration"/>).
/// </para>
/// <para>
/// <b>Deviation.</b> A point's deviation is the larger of its own standardised error (a spike) and the standardised mean
/// of the current run of same-signed errors, <c>Σz/√k</c> over the run a CUSUM keeps (a level shift: a sustained
/// departure gathers evidence even when each point alone is unremarkable). When the run's evidence passes
/// <see cref="AnomalyDetectorOptions.ShiftConfirmation"/>, the baseline in use moves to the new level, so a shift raises
/// one alert, not a train of spikes.
/// </para>
/// <para>
/// <b>Novelty.</b> What a point scores is how far it goes beyond what the series has done before: beyond the range of
/// its past values, in widths of that range, or beyond the largest deviation seen lately (never less than
/// <see cref="AnomalyDetectorOptions.RecordFloor"/>), in multiples of it. Recurring bursts (a nightly batch job) stop
/// counting once they are part of the record; a point that outdoes everything before counts however noisy the series
/// is. A new record within <see cref="AnomalyDetectorOptions.QuietPeriod"/> of the previous one is scored down, so one
/// incident raises one alert.
/// </para>
/// </remarks>
public sealed class StreamingAnomalyDetector
{
    private const double ErrorClip = 4.0;
    private const double SeasonalAdvantage = 0.9;

    private readonly AnomalyDetectorOptions options;
    private readonly RobustSeasonalModel[] models;
    private readonly double recordDecay;
    private readonly long quietSteps;
    private readonly long warmUpSteps;
    private long t;
    private long seen;
    private double meanAbsoluteValue;
    private double highest = double.NegativeInfinity;
    private double lowest = double.PositiveInfinity;
    private double spikeRecord;
    private double shiftRecord;
    private long lastNovel = long.MinValue / 2;
    private double lastNovelty;
    private CusumRun up;
    private CusumRun down;

    /// <summary>Starts a detector for a series with the given step.</summary>
    /// <param name="step">The time between consecutive points; sets the daily and weekly season lengths.</param>
    /// <param name="options">The detector's configuration; <see cref="AnomalyDetectorOptions.Default"/> when null.</param>
    public StreamingAnomalyDetector(TimeSpan step, AnomalyDetectorOptions? options = null)
    {
        this.options = options ?? AnomalyDetectorOptions.Default;
        var seasons = SeasonLengths.For(step);
        recordDecay = Math.Exp(-step / this.options.RecordMemory);
        var calibrationMemory = this.options.RecordMemory / step;
        quietSteps = (long)Math.Round(this.options.QuietPeriod / step);
        warmUpSteps = Math.Max(this.options.MinimumWarmUpSteps, (long)Math.Round(this.options.WarmUp / step));
        models = seasons.Daily == 0
            ? [new RobustSeasonalModel(0, 0, calibrationMemory)]
            : [new RobustSeasonalModel(0, 0, calibrationMemory), new RobustSeasonalModel(seasons.Daily, 0, calibrationMemory), new RobustSeasonalModel(0, seasons.Weekly, calibrationMemory)];
    }

    /// <summary>Scores the next point and then learns from it. A NaN value is a missing point: it is not scored and teaches nothing.</summary>
    /// <param name="value">The point's value.</param>
    public PointAssessment Observe(double value)
    {
        var model = Chosen();
        var expected = seen == 0 ? value : model.Forecast(t);
        var floor = Floor();
        var sd = Math.Max(model.StandardDeviation, floor);
        if (double.IsNaN(value) || seen == 0)
        {
            Learn(value, floor);
            return new PointAssessment(value, expected, expected - (1.96 * sd), expected + (1.96 * sd), 0.0, 0.0, AnomalyKind.None);
        }

        var error = value - expected;
        var factor = model.Calibration.Factor;
        var z = sd > 0 ? error / sd * factor : 0.0;

        // The 95 % range of the calibrated errors: wider than ±1.96 standard deviations on a heavy-tailed series.
        var halfRange = 1.96 * sd / factor;
        var clipped = Math.Clamp(z, -ErrorClip, ErrorClip);
        up.Add(clipped, error, options.ShiftDrift);
        down.Add(-clipped, -error, options.ShiftDrift);
        var rising = up.Evidence >= down.Evidence;
        var run = rising ? up : down;

        var warm = seen >= warmUpSteps;
        var spike = warm ? Math.Abs(z) : 0.0;
        var shift = warm && run.Length >= 3 ? run.Evidence : 0.0;
        var deviation = spike >= shift ? spike * Math.Sign(error) : shift * (rising ? 1 : -1);
        var confirmed = shift >= options.ShiftConfirmation;
        if (confirmed)
        {
            // The run's errors are the chosen model's; the other models' errors differ (a weekly model has none on a
            // weekend the daily model misses), so they adapt on their own.
            model.Shift((rising ? 1 : -1) * run.SumError / run.Length);

            up = default;
            down = default;
        }

        var novelty = warm ? Novelty(value, spike, shift) : 0.0;
        if (novelty > 0)
        {
            if (t - lastNovel <= quietSteps && novelty <= lastNovelty)
            {
                novelty *= options.QuietDamping;
            }
            else
            {
                lastNovel = t;
                lastNovelty = novelty;
            }
        }

        spikeRecord = Math.Max(spikeRecord * recordDecay, spike);
        shiftRecord = Math.Max(shiftRecord * recordDecay, shift);
        Learn(value, floor);
        var flagged = novelty >= options.FlagNovelty;
        var kind = shift > spike ? AnomalyKind.LevelShift : AnomalyKind.Spike;
        return new PointAssessment(value, expected, expected - halfRange, expected + halfRange, deviation,
            ScoreOf(novelty), flagged ? kind : AnomalyKind.None, confirmed);
    }

    /// <summary>The anomaly score of a novelty <c>e</c> (how far beyond the series' record a point goes): <c>e/(1 + e)</c>.</summary>
    /// <param name="novelty">The novelty, 0 or more.</param>
    public static double ScoreOf(double novelty) => novelty / (1.0 + novelty);

    private double Novelty(double value, double spike, double shift)
    {
        var range = highest - lowest;
        var beyondRange = range > 0 ? Math.Max(0.0, Math.Max(value - highest, lowest - value)) / range : 0.0;
        return Math.Max(options.RangeWeight * beyondRange, Math.Max(options.DeviationWeight * BeyondRecord(spike, spikeRecord), options.ShiftWeight * BeyondRecord(shift, shiftRecord)));
    }

    private double BeyondRecord(double deviation, double record)
    {
        var bar = Math.Max(record, options.RecordFloor);
        return Math.Max(0.0, deviation - bar) / bar;
    }

    private RobustSeasonalModel Chosen()
    {
        var best = models[0];
        for (var i = 1; i < models.Length; i++)
        {
            if (seen >= models[i].Maturity && models[i].TrackRecord < SeasonalAdvantage * best.TrackRecord)
            {
                best = models[i];
            }
        }

        return best;
    }

    private double Floor() => Math.Max(options.RelativeNoiseFloor * meanAbsoluteValue, 1e-12);

    private void Learn(double value, double floor)
    {
        if (!double.IsNaN(value))
        {
            seen++;
            highest = Math.Max(highest, value);
            lowest = Math.Min(lowest, value);
            meanAbsoluteValue += Math.Max(0.01, 1.0 / seen) * (Math.Abs(value) - meanAbsoluteValue);
            foreach (var m in models)
            {
                m.Update(t, value, floor, warmUpSteps, options);
            }
        }

        t++;
    }

    /// <summary>One side of a two-sided CUSUM, with the sums of the excursion it is in.</summary>
    private struct CusumRun
    {
        public double Statistic;
        public double SumZ;
        public double SumError;
        public int Length;

        /// <summary>The standardised mean of the excursion's errors, Σz/√k: how sure it is that the level has moved.</summary>
        public readonly double Evidence => Length > 0 ? Math.Max(0.0, SumZ) / Math.Sqrt(Length) : 0.0;

        public void Add(double z, double error, double drift)
        {
            Statistic = Math.Max(0.0, Statistic + z - drift);
            if (Statistic == 0.0)
            {
                this = default;
                return;
            }

            SumZ += z;
            SumError += error;
            Length++;
        }
    }
}
