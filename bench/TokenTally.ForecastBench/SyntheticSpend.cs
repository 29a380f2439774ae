namespace TokenTally.ForecastBench;

/// <summary>Deterministic synthetic hourly spend for the speed benchmark: daily and weekly cycles, trend, noise, spikes.</summary>
public static class SyntheticSpend
{
    /// <summary>Series number <paramref name="index"/> with <paramref name="hours"/> points, starting on a Monday at 00:00.</summary>
    public static double[] Series(int index, int hours)
    {
        var random = new Random(index);
        var level = 5 + 200 * random.NextDouble();
        var dailyAmplitude = 0.3 + 0.6 * random.NextDouble();
        var weekendFactor = 0.2 + 0.7 * random.NextDouble();
        var trend = (random.NextDouble() - 0.3) * 0.5 / hours;
        var sparse = index % 10 == 0;
        var values = new double[hours];
        for (var t = 0; t < hours; t++)
        {
            var hourOfDay = t % 24;
            var weekend = t / 24 % 7 >= 5;
            var daily = 1 + dailyAmplitude * Math.Sin(2 * Math.PI * (hourOfDay - 8) / 24);
            var value = level * (1 + trend * t) * daily * (weekend ? weekendFactor : 1) * Math.Exp(0.15 * Gaussian(random));
            if (random.NextDouble() < 0.002)
            {
                value *= 5;
            }

            values[t] = sparse && random.NextDouble() < 0.4 ? 0 : value;
        }

        return values;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
