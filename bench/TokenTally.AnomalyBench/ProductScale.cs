using System.Diagnostics;
using TokenTally.Core.Anomalies;

namespace TokenTally.AnomalyBench;

/// <summary>What one scan of many hourly series costs: the anomaly activity's work for a large tenant.</summary>
internal sealed record ProductScale(int Series, int Days, long Points, TimeSpan Elapsed, long AllocatedBytes, int Anomalies)
{
    public static ProductScale Measure(int seriesCount, int days)
    {
        var series = Enumerable.Range(0, seriesCount).Select(i => Generate(days, seed: i)).ToArray();
        var start = new DateTimeOffset(2026, 9, 7, 0, 0, 0, TimeSpan.Zero);
        var hour = TimeSpan.FromHours(1);
        foreach (var values in series.Take(50))
        {
            _ = AnomalyScan.Detect(start, hour, values);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var anomalies = 0;
        var clock = Stopwatch.StartNew();
        foreach (var values in series)
        {
            anomalies += AnomalyScan.Detect(start, hour, values).Count;
        }

        clock.Stop();
        return new ProductScale(seriesCount, days, (long)seriesCount * days * 24, clock.Elapsed,
            GC.GetAllocatedBytesForCurrentThread() - allocated, anomalies);
    }

    private static double[] Generate(int days, int seed)
    {
        var random = new Random(seed);
        var level = 10 + (random.NextDouble() * 1000);
        var values = new double[days * 24];
        for (var i = 0; i < values.Length; i++)
        {
            var cycle = 1 + (0.3 * Math.Sin(2 * Math.PI * ((i % 24) - 9) / 24.0));
            var week = (i / 24 % 7) >= 5 ? 0.7 : 1.0;
            var noise = 1 + (0.05 * (random.NextDouble() - 0.5));
            values[i] = level * cycle * week * noise;
        }

        values[random.Next(values.Length / 2, values.Length)] *= 3;
        var shift = random.Next(values.Length / 2, values.Length);
        for (var i = shift; i < values.Length; i++)
        {
            values[i] *= 1.5;
        }

        return values;
    }
}
