namespace TokenTally.Core.Tests.Forecasting;

/// <summary>
/// Hourly series with known structure: a level, a daily cycle (peak mid-afternoon), quieter weekends, and
/// multiplicative log-normal noise. Hour 0 is a Monday 00:00.
/// </summary>
internal static class SyntheticHourly
{
    /// <summary>The noise-free value at hour <paramref name="t"/>.</summary>
    public static double Expected(int t, double level = 100, double dailyAmplitude = 0.6, double weekendFactor = 0.3)
    {
        var hourOfDay = t % 24;
        var weekend = t / 24 % 7 >= 5;
        return level * (1 + dailyAmplitude * Math.Sin(2 * Math.PI * (hourOfDay - 9) / 24)) * (weekend ? weekendFactor : 1);
    }

    /// <summary>Hours [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>) with log-noise of standard deviation <paramref name="noise"/>.</summary>
    public static double[] Series(int from, int count, double noise, int seed, double level = 100)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = Expected(from + i, level) * Math.Exp(noise * gaussian);
        }

        return values;
    }

    /// <summary>A series' first <paramref name="history"/> hours and the <paramref name="future"/> hours after them, from one noise stream.</summary>
    public static (double[] History, double[] Future) Split(int history, int future, double noise, int seed, double level = 100)
    {
        var all = Series(0, history + future, noise, seed, level);
        return (all[..history], all[history..]);
    }
}
