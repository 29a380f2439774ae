namespace TokenTally.Core.Tests.Anomalies;

/// <summary>
/// Hourly spend-like series with known structure: a level, a daily cycle (low at 03:00, high in the afternoon), quieter
/// weekends, and Gaussian noise from a seeded generator, so every test sees the same numbers.
/// </summary>
internal sealed class SyntheticSeries
{
    public static readonly DateTimeOffset Start = new(2026, 9, 7, 0, 0, 0, TimeSpan.Zero); // a Monday

    private readonly double[] values;

    private SyntheticSeries(double[] values) => this.values = values;

    public double[] Values => values;

    public static SyntheticSeries Seasonal(int days = 90, double level = 100, double daily = 30, double weekendFactor = 0.7,
        double noise = 3, int seed = 7)
    {
        var random = new Random(seed);
        var values = new double[days * 24];
        for (var i = 0; i < values.Length; i++)
        {
            var hour = i % 24;
            var day = (i / 24) % 7;
            var cycle = level + (daily * Math.Sin(2 * Math.PI * (hour - 9) / 24.0)); // lowest at 03:00, highest at 15:00
            var week = day >= 5 ? weekendFactor : 1.0;
            values[i] = (cycle * week) + (noise * Gaussian(random));
        }

        return new SyntheticSeries(values);
    }

    public static int HourOf(int day, int hour) => (day * 24) + hour;

    public SyntheticSeries WithSpike(int index, double size)
    {
        values[index] += size;
        return this;
    }

    public SyntheticSeries WithShift(int from, double size)
    {
        for (var i = from; i < values.Length; i++)
        {
            values[i] += size;
        }

        return this;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
