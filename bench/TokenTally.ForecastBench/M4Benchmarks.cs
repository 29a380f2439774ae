namespace TokenTally.ForecastBench;

/// <summary>
/// The M4 organisers' reference methods, written from the definitions in <c>../shared/bench/README.md</c> §4:
/// Naive1, seasonal naive and Naive2 (the seasonally adjusted naive forecast OWA is relative to).
/// </summary>
public static class M4Benchmarks
{
    /// <summary>The last value repeated.</summary>
    public static double[] Naive1(double[] history, int horizon) => Enumerable.Repeat(history[^1], horizon).ToArray();

    /// <summary>The last <paramref name="period"/> values repeated.</summary>
    public static double[] SeasonalNaive(double[] history, int horizon, int period) =>
        Enumerable.Range(0, horizon).Select(h => history[history.Length - period + (h % period)]).ToArray();

    /// <summary>
    /// Naive2: when the series passes the 90 % seasonality test at lag <paramref name="period"/>, the last value of the
    /// series divided by its classical multiplicative seasonal indices, times the index of each future position;
    /// otherwise Naive1.
    /// </summary>
    public static double[] Naive2(double[] history, int horizon, int period)
    {
        var n = history.Length;
        var indices = IsSeasonal(history, period) ? MultiplicativeIndices(history, period) : Enumerable.Repeat(1.0, period).ToArray();
        var lastDeseasonalised = history[^1] / indices[(n - 1) % period];
        var forecast = new double[horizon];
        for (var k = 1; k <= horizon; k++)
        {
            // In-sample position n − m + 1 + ((k − 1) mod m), 1-based, has 0-based seasonal slot (n − m + (k − 1) mod m) mod m.
            forecast[k - 1] = lastDeseasonalised * indices[(n - period + ((k - 1) % period)) % period];
        }

        return forecast;
    }

    /// <summary>The 90 % autocorrelation test: |r_m| &gt; 1.645·√((1 + 2·Σ_{k&lt;m} r_k²)/n), for n ≥ 3m.</summary>
    public static bool IsSeasonal(double[] history, int period)
    {
        var n = history.Length;
        if (n < 3 * period)
        {
            return false;
        }

        var mean = history.Average();
        var denominator = history.Sum(v => (v - mean) * (v - mean));
        double Acf(int lag)
        {
            var sum = 0.0;
            for (var t = lag; t < n; t++)
            {
                sum += (history[t] - mean) * (history[t - lag] - mean);
            }

            return sum / denominator;
        }

        var sumSquares = 0.0;
        for (var k = 1; k < period; k++)
        {
            var r = Acf(k);
            sumSquares += r * r;
        }

        var limit = 1.645 * Math.Sqrt((1 + 2 * sumSquares) / n);
        return Math.Abs(Acf(period)) > limit;
    }

    /// <summary>Classical multiplicative decomposition: ratios to a centred 2×m moving average, averaged by position, rescaled to mean 1.</summary>
    private static double[] MultiplicativeIndices(double[] history, int period)
    {
        var n = history.Length;
        var half = period / 2;
        var sums = new double[period];
        var counts = new int[period];
        for (var t = half; t < n - half; t++)
        {
            var trend = 0.5 * (history[t - half] + history[t + half]);
            for (var k = t - half + 1; k < t + half; k++)
            {
                trend += history[k];
            }

            trend /= period;
            sums[t % period] += history[t] / trend;
            counts[t % period]++;
        }

        var indices = sums.Select((s, i) => s / counts[i]).ToArray();
        var meanIndex = indices.Average();
        return [.. indices.Select(i => i / meanIndex)];
    }
}
