using System.Text.Json;
using TokenTally.Core.Sketches;

namespace TokenTally.Core.Tests.Sketches;

/// <summary>The sketch at the pipeline's scale: a million latencies an hour per tenant, rolled up into days and months.</summary>
public sealed class DDSketchScaleTests
{
    private static readonly double[] Percentiles = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

    [Fact]
    public void AMillionRealisticLatenciesStayUnderTwelveHundredBinsAndAFewKilobytesOfJson()
    {
        var values = LatencyData.RealisticHour(1_000_000, seed: 20260701);

        var sketch = LatencyData.Sketch(values);
        var json = JsonSerializer.Serialize(sketch.ToState(), JsonSerializerOptions.Web);

        TestContext.Current.TestOutputHelper?.WriteLine($"1,000,000 latencies: {sketch.BinCount} bins, {json.Length:N0} bytes of JSON");
        Assert.InRange(sketch.BinCount, 1, 1_200);
        Assert.InRange(json.Length, 1, 20_000);

        Array.Sort(values);
        foreach (var q in Percentiles)
        {
            var exact = LatencyData.ExactQuantile(values, q);
            Assert.True(LatencyData.IsWithin(0.01, sketch.Quantile(q), exact), $"q={q}: {sketch.Quantile(q)} vs {exact}");
        }
    }

    [Fact]
    public void AMonthOfHourlySketchesMergesWithoutGrowingBeyondTheRangeOfTheData()
    {
        var month = new DDSketch();
        for (var hour = 0; hour < 31 * 24; hour++)
        {
            month.Merge(LatencyData.Sketch(LatencyData.RealisticHour(500, seed: hour)));
        }

        var json = JsonSerializer.Serialize(month.ToState(), JsonSerializerOptions.Web);
        TestContext.Current.TestOutputHelper?.WriteLine($"744 hourly sketches of 500: {month.BinCount} bins, {json.Length:N0} bytes of JSON");

        Assert.Equal(744 * 500, month.Count);
        Assert.InRange(month.BinCount, 1, 1_200);
        Assert.InRange(json.Length, 1, 20_000);
    }

    [Fact]
    public void LatenciesFromOneHundredthOfAMillisecondToTenMinutesNeedAbout900BinsSoNothingIsCollapsed()
    {
        // Evenly spread in log scale over the whole range, so every bucket from 0.01 ms to 10 minutes is occupied.
        var values = Enumerable.Range(0, 20_001)
            .Select(i => Math.Exp(Math.Log(LatencyData.Fastest) + (i / 20_000.0 * (Math.Log(LatencyData.Slowest) - Math.Log(LatencyData.Fastest)))))
            .ToArray();

        var sketch = LatencyData.Sketch(values);

        Assert.InRange(sketch.BinCount, 890, 1_100);
        Assert.Equal(sketch.KeyOf(LatencyData.Fastest), sketch.ToState().BinOffset); // the lowest bucket is the minimum's own
        Assert.True(sketch.BinCount < sketch.MaxBins);
        foreach (var q in new[] { 0.0001, 0.001, 0.01, 0.5, 0.99 })
        {
            var exact = LatencyData.ExactQuantile(values, q);
            Assert.True(LatencyData.IsWithin(0.01, sketch.Quantile(q), exact), $"q={q}: {sketch.Quantile(q)} vs {exact}");
        }
    }

    [Fact]
    public void AddingWithinTheRangeAlreadySeenAllocatesNothing()
    {
        var values = LatencyData.RealisticHour(200_000, seed: 7);
        var sketch = new DDSketch();
        sketch.Add(LatencyData.Fastest);
        sketch.Add(LatencyData.Slowest);
        sketch.Add(values[0]); // JIT the path before measuring

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(200_003, sketch.Count);
    }

    [Fact]
    public void CollapsingKeepsTheBinsBoundedAndTheHighQuantilesAccurate()
    {
        // 64 bins at 1% cover a factor γ^63 ≈ 3.5; these values span 1 to 10^6.
        var values = Enumerable.Range(0, 10_000).Select(i => Math.Pow(10, i / 10_000.0 * 6)).ToArray();

        var sketch = LatencyData.Sketch(values, maxBins: 64);

        Assert.Equal(64, sketch.BinCount);
        Assert.Equal(10_000, sketch.Count);
        Assert.Equal(1, sketch.Quantile(0));
        foreach (var q in new[] { 0.95, 0.99, 0.999 })
        {
            var exact = LatencyData.ExactQuantile(values, q);
            Assert.True(LatencyData.IsWithin(0.01, sketch.Quantile(q), exact), $"q={q}: {sketch.Quantile(q)} vs {exact}");
        }

        // Below the kept range, values were moved up into the lowest kept bucket: the estimate is too high, never too low.
        Assert.True(sketch.Quantile(0.5) > LatencyData.ExactQuantile(values, 0.5) * 1.01);
    }

    [Fact]
    public void ASketchOfOneBinStillKnowsItsCountMinimumAndMaximum()
    {
        var sketch = LatencyData.Sketch([0, 0.5, 5, 50, 500, 5_000], maxBins: 1);

        Assert.Equal(1, sketch.BinCount);
        Assert.Equal(6, sketch.Count);
        Assert.Equal(0, sketch.Quantile(0));
        Assert.Equal(5_000, sketch.Quantile(1));
        Assert.Equal(5_000, sketch.Quantile(0.5), tolerance: 50);
        Assert.Equal(sketch.ToState(), DDSketch.FromState(sketch.ToState()).ToState());
    }

    [Fact]
    public void CollapsedBinsDoNotDependOnTheOrderOfAddsAndMerges()
    {
        var values = Enumerable.Range(1, 5_000).Select(i => (double)i * i).ToArray();

        var ascending = LatencyData.Sketch(values, maxBins: 100);
        var descending = LatencyData.Sketch(values.Reverse(), maxBins: 100);
        var merged = LatencyData.Sketch(values[2_500..], maxBins: 100);
        merged.Merge(LatencyData.Sketch(values[..2_500], maxBins: 100));

        Assert.Equal(100, ascending.BinCount);
        Assert.Equal(ascending.ToState(), descending.ToState());
        Assert.Equal(ascending.ToState(), merged.ToState());
    }
}
