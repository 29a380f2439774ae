using TokenTally.Core.Sketches;

namespace TokenTally.Core.Tests.Sketches;

/// <summary>Seeded latency samples in milliseconds, shaped like LLM call latencies, and the exact quantile to check sketches against.</summary>
internal static class LatencyData
{
    public const double Fastest = 0.01;
    public const double Slowest = 600_000; // ten minutes

    /// <summary>
    /// A realistic hour: 88% ordinary calls (median 800 ms), 8% cache hits (median 40 ms), 3% long generations
    /// (median 20 s) and 1% time-outs and instant failures at the extremes of the range.
    /// </summary>
    public static double[] RealisticHour(int count, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var pick = random.NextDouble();
            values[i] = pick switch
            {
                < 0.88 => LogNormal(random, median: 800, sigma: 0.8),
                < 0.96 => LogNormal(random, median: 40, sigma: 0.6),
                < 0.99 => LogNormal(random, median: 20_000, sigma: 0.7),
                < 0.995 => Slowest,
                _ => LogNormal(random, median: 0.5, sigma: 2),
            };
        }

        return values;
    }

    public static double LogNormal(Random random, double median, double sigma)
    {
        var u1 = 1 - random.NextDouble(); // (0, 1]
        var u2 = random.NextDouble();
        var standardNormal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Clamp(median * Math.Exp(sigma * standardNormal), Fastest, Slowest);
    }

    /// <summary>The lower quantile x_k, k = ⌊q·(n − 1)⌋, of values sorted ascending: the sketch's rank convention.</summary>
    public static double ExactQuantile(double[] sorted, double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];

    /// <summary>Whether an estimate is within the relative accuracy of the exact value, allowing for rounding at bucket edges.</summary>
    public static bool IsWithin(double relativeAccuracy, double estimate, double exact) =>
        Math.Abs(estimate - exact) <= relativeAccuracy * exact * (1 + 1e-9);

    public static DDSketch Sketch(IEnumerable<double> values, double relativeAccuracy = DDSketch.DefaultRelativeAccuracy, int maxBins = DDSketch.DefaultMaxBins)
    {
        var sketch = new DDSketch(relativeAccuracy, maxBins);
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }
}
