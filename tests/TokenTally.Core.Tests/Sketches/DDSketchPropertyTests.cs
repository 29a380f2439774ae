using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Sketches;

namespace TokenTally.Core.Tests.Sketches;

/// <summary>
/// Properties of the sketch over random datasets, checked against the exact lower quantile of the sorted data.
/// Datasets hold 1 to 5,000 values from one of several shapes: lognormal latencies, a wide log-uniform range
/// (0.01 ms to 10 minutes), a bimodal time-to-first-token mixture, a constant, a handful of distinct values,
/// latencies mixed with zeros, and small integers.
/// </summary>
public sealed class DDSketchPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(250);
    private static readonly double[] Quantiles = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1];

    private static readonly Gen<double> Uniform = Gen.Choose(0, int.MaxValue - 1).Select(i => (i + 0.5) / int.MaxValue);

    private static Gen<double> LogNormal(double median, double sigma) =>
        from u1 in Uniform
        from u2 in Uniform
        select Math.Clamp(
            median * Math.Exp(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)),
            LatencyData.Fastest, LatencyData.Slowest);

    private static readonly Gen<double> Latency = LogNormal(median: 300, sigma: 1.5);

    private static readonly Gen<double> WideRange =
        Uniform.Select(u => Math.Exp(Math.Log(LatencyData.Fastest) + (u * (Math.Log(LatencyData.Slowest) - Math.Log(LatencyData.Fastest)))));

    private static readonly Gen<Gen<double>> Shapes = Gen.OneOf(
        Gen.Constant(Latency),
        Gen.Constant(WideRange),
        Gen.Constant(Gen.Frequency((3, LogNormal(median: 60, sigma: 0.5)), (1, LogNormal(median: 4_000, sigma: 0.8)))),
        Latency.Select(Gen.Constant),
        Latency.ArrayOf(5).Select(Gen.Elements),
        Gen.Constant(Gen.Frequency((1, Gen.Constant(0.0)), (3, Latency))),
        Gen.Constant(Gen.Choose(0, 100).Select(i => (double)i)));

    private static readonly Gen<double> Accuracies = Gen.Elements(0.005, 0.01, 0.02, 0.05);

    /// <summary>A dataset cut into 1 to 8 contiguous chunks (some possibly empty), merged in a random order.</summary>
    private sealed record ChunkedDataset(double RelativeAccuracy, double[] Values, double[][] Chunks, int[] MergeOrder);

    private static readonly Gen<ChunkedDataset> ChunkedDatasets =
        from relativeAccuracy in Accuracies
        from size in Gen.Choose(1, 5_000)
        from shape in Shapes
        from values in shape.ArrayOf(size)
        from chunkCount in Gen.Choose(1, 8)
        from cuts in Gen.Choose(0, size).ArrayOf(chunkCount - 1)
        from order in Gen.Shuffle(Enumerable.Range(0, chunkCount))
        select new ChunkedDataset(relativeAccuracy, values, Cut(values, cuts), order);

    private static readonly Gen<(double RelativeAccuracy, double[] Left, double[] Right)> Pairs =
        from relativeAccuracy in Accuracies
        from shape in Shapes
        from left in Gen.Choose(0, 2_000).SelectMany(shape.ArrayOf)
        from right in Gen.Choose(0, 2_000).SelectMany(shape.ArrayOf)
        select (relativeAccuracy, left, right);

    [Fact]
    public void EveryQuantileOfMergedChunksIsWithinTheRelativeAccuracyOfTheExactQuantile()
    {
        var property = Prop.ForAll(ChunkedDatasets.ToArbitrary(), data =>
        {
            var merged = MergeChunks(data);
            var sorted = data.Values.Order().ToArray();

            foreach (var q in Quantiles)
            {
                var exact = LatencyData.ExactQuantile(sorted, q);
                var estimate = merged.Quantile(q);
                Assert.True(
                    LatencyData.IsWithin(data.RelativeAccuracy, estimate, exact),
                    $"q={q}: estimate {estimate}, exact {exact}, α={data.RelativeAccuracy}, n={sorted.Length}");
            }

            Assert.Equal(sorted[0], merged.Quantile(0));
            Assert.Equal(sorted[^1], merged.Quantile(1));
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void CountMinMaxAreExactAndTheSumIsTheSumAfterMergingChunks()
    {
        var property = Prop.ForAll(ChunkedDatasets.ToArbitrary(), data =>
        {
            var merged = MergeChunks(data);

            Assert.Equal(data.Values.Length, merged.Count);
            Assert.Equal(data.Values.Count(v => v == 0), merged.ZeroCount);
            Assert.Equal(data.Values.Min(), merged.Min);
            Assert.Equal(data.Values.Max(), merged.Max);
            Assert.Equal(data.Values.Sum(), merged.Sum, tolerance: 1e-12 * data.Values.Sum());
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void MergingChunksGivesTheSameBinsAsSketchingEverythingAtOnce()
    {
        var property = Prop.ForAll(ChunkedDatasets.ToArbitrary(), data =>
        {
            var whole = LatencyData.Sketch(data.Values, data.RelativeAccuracy).ToState();
            var merged = MergeChunks(data).ToState();

            // Only the floating-point sum may differ, by rounding.
            Assert.Equal(whole, merged with { Sum = whole.Sum });
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void MergingChunksWithFewBinsGivesTheSameCollapsedBinsAsSketchingEverythingAtOnce()
    {
        var property = Prop.ForAll(ChunkedDatasets.ToArbitrary(), Gen.Elements(1, 2, 16, 64).ToArbitrary(), (data, maxBins) =>
        {
            var whole = LatencyData.Sketch(data.Values, data.RelativeAccuracy, maxBins).ToState();
            var merged = new DDSketch(data.RelativeAccuracy, maxBins);
            foreach (var index in data.MergeOrder)
            {
                merged.Merge(LatencyData.Sketch(data.Chunks[index], data.RelativeAccuracy, maxBins));
            }

            Assert.Equal(whole, merged.ToState() with { Sum = whole.Sum });
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void QuantilesInOneWalkEqualEachQuantileAskedAlone()
    {
        var property = Prop.ForAll(ChunkedDatasets.ToArbitrary(), Gen.Elements(1, 16, DDSketch.DefaultMaxBins).ToArbitrary(), (data, maxBins) =>
        {
            var sketch = LatencyData.Sketch(data.Values, data.RelativeAccuracy, maxBins);
            var estimates = new double[Quantiles.Length];

            sketch.Quantiles(Quantiles, estimates);

            Assert.Equal(Quantiles.Select(sketch.Quantile), estimates);
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void MergeOrderDoesNotMatter()
    {
        var property = Prop.ForAll(Pairs.ToArbitrary(), pair =>
        {
            var left = LatencyData.Sketch(pair.Left, pair.RelativeAccuracy);
            var right = LatencyData.Sketch(pair.Right, pair.RelativeAccuracy);

            var leftThenRight = left.Clone();
            leftThenRight.Merge(right);
            var rightThenLeft = right.Clone();
            rightThenLeft.Merge(left);

            Assert.Equal(leftThenRight.ToState(), rightThenLeft.ToState());
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void AStateRoundTripThroughJsonGivesTheSameSketch()
    {
        var property = Prop.ForAll(ChunkedDatasets.ToArbitrary(), data =>
        {
            var original = MergeChunks(data);

            var json = JsonSerializer.Serialize(original.ToState(), JsonSerializerOptions.Web);
            var restored = DDSketch.FromState(JsonSerializer.Deserialize<DDSketchState>(json, JsonSerializerOptions.Web)!);

            Assert.Equal(original.ToState(), restored.ToState());
            foreach (var q in Quantiles)
            {
                Assert.Equal(original.Quantile(q), restored.Quantile(q));
            }
        });

        Check.One(Runs, property);
    }

    private static DDSketch MergeChunks(ChunkedDataset data)
    {
        var merged = new DDSketch(data.RelativeAccuracy);
        foreach (var index in data.MergeOrder)
        {
            merged.Merge(LatencyData.Sketch(data.Chunks[index], data.RelativeAccuracy));
        }

        return merged;
    }

    private static double[][] Cut(double[] values, int[] cuts)
    {
        var bounds = cuts.Order().Prepend(0).Append(values.Length).ToArray();
        return [.. bounds.Zip(bounds.Skip(1), (start, end) => values[start..end])];
    }
}
