namespace TokenTally.Core.Forecasting;

/// <summary>
/// The forecaster fitted to one history: the log-space point forecast (a median), its transform, the interval
/// calibration and backtest, and the log-space shift that turns the median into an expected value (<c>ln</c> of the
/// mean of <c>e^error</c> over the backtest), since sums of hourly medians would understate skewed spend.
/// </summary>
internal sealed record HourlyModel(double[] ForecastZ, SeriesTransform Transform, IntervalCalibration Calibration, BacktestAccuracy Backtest, double MeanShift)
{
    /// <summary>The forecast of step <paramref name="step"/> (0-based) with its intervals.</summary>
    public ForecastInterval Interval(int step) => Calibration.Interval(ForecastZ[step], step, Transform);

    /// <summary>The expected value at step <paramref name="step"/> (0-based): the median shifted by <see cref="MeanShift"/>.</summary>
    public double ExpectedValue(int step) => Transform.Inverse(ForecastZ[step] + MeanShift);

    /// <summary>Fits the last <see cref="HourlyForecaster.MaxFitHours"/> hours of <paramref name="history"/> and forecasts <paramref name="hours"/> hours.</summary>
    public static HourlyModel Fit(ReadOnlySpan<double> history, int hours)
    {
        var window = history[Math.Max(0, history.Length - HourlyForecaster.MaxFitHours)..];
        var transform = SeriesTransform.For(window);
        var z = transform.Forward(window);
        if (z.Length < HourlyForecaster.MinimumHistory || IsConstant(z))
        {
            var constant = IsConstant(z);
            var spread = constant ? 0 : SpreadAroundMean(z);
            var shift = constant || z.Length == 0 ? 0 : Math.Log(z.Average(Math.Exp)) - z.Average();
            return new HourlyModel(PointForecastZ(z, hours), transform, IntervalCalibration.Constant(spread), BacktestAccuracy.None, shift);
        }

        var (forecastZ, backtest) = EnsembleForecaster.ForecastWithBacktest(z, hours, HourlyForecaster.MaxBacktestOrigins, Math.Max(HourlyForecaster.MinimumHistory, z.Length / 2));
        var (calibration, accuracy, meanShift) = Calibrate(window, z, transform, backtest);
        return new HourlyModel(forecastZ, transform, calibration, accuracy, meanShift);
    }

    /// <summary>The log-space point forecast of <paramref name="z"/>.</summary>
    public static double[] PointForecastZ(double[] z, int hours)
    {
        var result = new double[hours];
        if (z.Length == 0)
        {
            Array.Fill(result, double.NegativeInfinity);
            return result;
        }

        if (z.Length < HourlyForecaster.MinimumHistory || IsConstant(z))
        {
            Array.Fill(result, IsConstant(z) ? z[0] : z.Average());
            return result;
        }

        return EnsembleForecaster.Forecast(z, hours);
    }

    private static (IntervalCalibration Calibration, BacktestAccuracy Accuracy, double MeanShift) Calibrate(
        ReadOnlySpan<double> window, double[] z, SeriesTransform transform, List<(int Origin, double[] Forecast)> backtest)
    {
        if (backtest.Count == 0)
        {
            var spread = SpreadAroundMean(z);
            return (IntervalCalibration.Constant(spread), BacktestAccuracy.None, spread * spread / 2);
        }

        const int Horizon = EnsembleForecaster.Step;
        var errors = new List<double[]>();
        double maseSum = 0, smapeSum = 0;
        var maseCount = 0;
        foreach (var (origin, forecast) in backtest)
        {
            var error = new double[Horizon];
            var raw = new double[Horizon];
            for (var h = 0; h < Horizon; h++)
            {
                error[h] = z[origin + h] - forecast[h];
                raw[h] = transform.Inverse(forecast[h]);
            }

            errors.Add(error);
            var actual = window.Slice(origin, Horizon);
            smapeSum += ForecastAccuracy.SymmetricMape(actual, raw);
            var mase = ForecastAccuracy.Mase(actual, raw, window[..origin], SeasonalMethod.Day);
            if (!double.IsNaN(mase))
            {
                maseSum += mase;
                maseCount++;
            }
        }

        double? coverage80 = null, coverage95 = null;
        if (backtest.Count >= 2)
        {
            int inside80 = 0, inside95 = 0, total = 0;
            for (var j = 0; j < backtest.Count; j++)
            {
                var heldOut = IntervalCalibration.FromErrors(errors, skip: j);
                for (var h = 0; h < Horizon; h++)
                {
                    var interval = heldOut.Interval(backtest[j].Forecast[h], h, transform);
                    var actual = Math.Max(window[backtest[j].Origin + h], 0);
                    inside80 += actual >= interval.Lower80 && actual <= interval.Upper80 ? 1 : 0;
                    inside95 += actual >= interval.Lower95 && actual <= interval.Upper95 ? 1 : 0;
                    total++;
                }
            }

            coverage80 = (double)inside80 / total;
            coverage95 = (double)inside95 / total;
        }

        var accuracy = new BacktestAccuracy(
            backtest.Count,
            Horizon,
            maseCount > 0 ? maseSum / maseCount : null,
            smapeSum / backtest.Count,
            coverage80,
            coverage95);
        // Errors are capped at ±2 (a factor of 7) and the shift at ±0.5 so one wild hour cannot dominate the mean.
        var meanRatio = errors.SelectMany(e => e).Average(e => Math.Exp(Math.Clamp(e, -2, 2)));
        return (IntervalCalibration.FromErrors(errors), accuracy, Math.Clamp(Math.Log(meanRatio), -0.5, 0.5));
    }

    internal static double SpreadAroundMean(ReadOnlySpan<double> z)
    {
        if (z.Length < 2)
        {
            return 0;
        }

        double mean = 0;
        foreach (var v in z)
        {
            mean += v;
        }

        mean /= z.Length;
        double sum = 0;
        foreach (var v in z)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / (z.Length - 1));
    }

    private static bool IsConstant(double[] z)
    {
        foreach (var v in z)
        {
            if (v != z[0])
            {
                return false;
            }
        }

        return true;
    }
}
