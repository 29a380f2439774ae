using TokenTally.Core.Sketches;

namespace TokenTally.Core.Tests.Sketches;

public sealed class DDSketchBehaviourTests
{
    [Fact]
    public void AnEmptySketchHasNoQuantilesAndNoMinimumOrMaximum()
    {
        var sketch = new DDSketch();

        Assert.Equal(0, sketch.Count);
        Assert.Equal(0, sketch.Sum);
        Assert.Equal(0, sketch.BinCount);
        Assert.True(double.IsNaN(sketch.Min));
        Assert.True(double.IsNaN(sketch.Max));
        Assert.True(double.IsNaN(sketch.Quantile(0)));
        Assert.True(double.IsNaN(sketch.Quantile(0.5)));
        Assert.True(double.IsNaN(sketch.Quantile(1)));
    }

    [Fact]
    public void TheDefaultsAreOnePercentAndTwoThousandAndFortyEightBins()
    {
        var sketch = new DDSketch();

        Assert.Equal(0.01, sketch.RelativeAccuracy);
        Assert.Equal(2048, sketch.MaxBins);
    }

    [Fact]
    public void ASingleValueIsEveryQuantileExactly()
    {
        var sketch = new DDSketch();
        sketch.Add(123.456);

        Assert.All(new[] { 0, 0.01, 0.5, 0.99, 1 }, q => Assert.Equal(123.456, sketch.Quantile(q)));
    }

    [Fact]
    public void ZerosAreCountedApartAndReportedAsZero()
    {
        var sketch = new DDSketch();
        sketch.Add(0, count: 3);
        sketch.Add(-0.0);
        sketch.Add(250, count: 2);

        // Sorted: 0, 0, 0, 0, 250, 250; k = ⌊q·5⌋ reaches the first 250 at q = 0.8.
        Assert.Equal(6, sketch.Count);
        Assert.Equal(4, sketch.ZeroCount);
        Assert.Equal(1, sketch.BinCount);
        Assert.Equal(0, sketch.Quantile(0.79));
        Assert.True(double.IsPositive(sketch.Min)); // -0.0 is folded into +0.0
        Assert.Equal(250, sketch.Quantile(0.81), tolerance: 2.5);
    }

    [Fact]
    public void TheLowerQuantileConventionPicksTheValueAtFloorOfQTimesNMinusOne()
    {
        // Sorted: 10, 20, 30, 40. k = ⌊q·3⌋: q < 1/3 → 10, q < 2/3 → 20, q < 1 → 30, q = 1 → 40.
        var sketch = LatencyData.Sketch([40, 10, 30, 20]);

        Assert.Equal(10, sketch.Quantile(0.33), tolerance: 0.1);
        Assert.Equal(20, sketch.Quantile(0.34), tolerance: 0.2);
        Assert.Equal(20, sketch.Quantile(0.66), tolerance: 0.2);
        Assert.Equal(30, sketch.Quantile(0.67), tolerance: 0.3);
        Assert.Equal(30, sketch.Quantile(0.99), tolerance: 0.3);
        Assert.Equal(40, sketch.Quantile(1));
    }

    [Fact]
    public void EachBucketsEstimateIsWithinTheRelativeAccuracyOfBothItsEnds()
    {
        foreach (var alpha in new[] { 1e-6, 0.001, 0.01, 0.05, 0.5, 0.99 })
        {
            var sketch = new DDSketch(alpha);
            var gamma = (1 + alpha) / (1 - alpha);
            foreach (var key in new[] { -1000, -37, -1, 0, 1, 2, 230, 1000 }.Where(k => Math.Abs(k * Math.Log(gamma)) < 700))
            {
                var lower = Math.Pow(gamma, key - 1);
                var upper = Math.Pow(gamma, key);
                var estimate = sketch.EstimateOf(key);

                Assert.Equal(1 + alpha, estimate / lower, tolerance: 1e-9);
                Assert.Equal(1 - alpha, estimate / upper, tolerance: 1e-9);
            }
        }
    }

    [Fact]
    public void AValueFallsInTheBucketWhoseRangeHoldsIt()
    {
        // At α = 1%, γ = 1.01/0.99 and ln γ ≈ 0.0200007, so 100 ms (ln 100 ≈ 4.60517) is in bucket ⌈230.25⌉ = 231.
        var sketch = new DDSketch();

        Assert.Equal(231, sketch.KeyOf(100));
        Assert.Equal(0, sketch.KeyOf(1));
        Assert.Equal(1, sketch.KeyOf(1.0000001));
        Assert.Equal(-115, sketch.KeyOf(0.1));
    }

    [Fact]
    public void AWeightedAddIsTheSameAsRepeatedAdds()
    {
        var weighted = new DDSketch();
        weighted.Add(12.5, count: 4);
        weighted.Add(0, count: 2);
        var repeated = LatencyData.Sketch([12.5, 12.5, 12.5, 12.5, 0, 0]);

        Assert.Equal(repeated.ToState(), weighted.ToState());
    }

    [Fact]
    public void CountSumMinAndMaxAreExactAfterMerges()
    {
        var hours = Enumerable.Range(0, 24)
            .Select(hour => LatencyData.Sketch(Enumerable.Range(1, 100).Select(i => (double)((i * 37 % 1000) + hour))))
            .ToList();

        var day = new DDSketch();
        hours.ForEach(day.Merge);

        var everything = Enumerable.Range(0, 24).SelectMany(hour => Enumerable.Range(1, 100).Select(i => (double)((i * 37 % 1000) + hour))).ToList();
        Assert.Equal(2_400, day.Count);
        Assert.Equal(everything.Sum(), day.Sum); // integers: the floating-point sum is exact
        Assert.Equal(everything.Min(), day.Min);
        Assert.Equal(everything.Max(), day.Max);
    }

    [Fact]
    public void MergingAnEmptySketchChangesNothingAndMergingIntoAnEmptySketchCopies()
    {
        var sketch = LatencyData.Sketch([1, 2, 3, 0]);
        var before = sketch.ToState();

        sketch.Merge(new DDSketch());
        var copy = new DDSketch();
        copy.Merge(sketch);

        Assert.Equal(before, sketch.ToState());
        Assert.Equal(before, copy.ToState());
    }

    [Fact]
    public void MergingASketchIntoItselfDoublesEveryCount()
    {
        var sketch = LatencyData.Sketch([5, 50, 500, 0]);
        var doubled = LatencyData.Sketch([5, 50, 500, 0, 5, 50, 500, 0]);

        sketch.Merge(sketch);

        Assert.Equal(doubled.ToState(), sketch.ToState());
    }

    [Fact]
    public void MergingSketchesWithDifferentAccuraciesThrows()
    {
        var onePercent = new DDSketch(0.01);
        var twoPercent = new DDSketch(0.02);
        twoPercent.Add(10);

        var error = Assert.Throws<ArgumentException>(() => onePercent.Merge(twoPercent));

        Assert.Equal("other", error.ParamName);
        Assert.Contains("0.02", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACloneChangesIndependentlyOfTheOriginal()
    {
        var original = LatencyData.Sketch([1, 10, 100]);
        var before = original.ToState();

        var clone = original.Clone();
        clone.Add(1_000);
        clone.Add(0.001);

        Assert.Equal(before, original.ToState());
        Assert.Equal(5, clone.Count);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1)]
    [InlineData(-double.Epsilon)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void AddingANegativeOrNonFiniteValueThrowsAndChangesNothing(double value)
    {
        var sketch = LatencyData.Sketch([3]);

        Assert.Throws<ArgumentOutOfRangeException>("value", () => sketch.Add(value));
        Assert.Equal(LatencyData.Sketch([3]).ToState(), sketch.ToState());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void AddingWithACountBelowOneThrows(long count) =>
        Assert.Throws<ArgumentOutOfRangeException>("count", () => new DDSketch().Add(1, count));

    [Fact]
    public void AddingPastTheLargestSumThrowsAndChangesNothing()
    {
        var sketch = new DDSketch();
        sketch.Add(double.MaxValue);

        Assert.Throws<OverflowException>(() => sketch.Add(double.MaxValue));
        Assert.Equal(1, sketch.Count);
        Assert.Equal(double.MaxValue, sketch.Quantile(0.5));
    }

    [Fact]
    public void TheExtremesOfTheDoubleRangeAreAccepted()
    {
        var sketch = LatencyData.Sketch([double.Epsilon, double.MaxValue], maxBins: DDSketch.MaxMaxBins);

        Assert.Equal(double.Epsilon, sketch.Quantile(0));
        Assert.Equal(double.MaxValue, sketch.Quantile(1));
        Assert.Equal(double.Epsilon, sketch.Quantile(0.5));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void AskingForAQuantileOutsideZeroToOneThrows(double q) =>
        Assert.Throws<ArgumentOutOfRangeException>("q", () => LatencyData.Sketch([1]).Quantile(q));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-0.01)]
    [InlineData(1e-7)]
    [InlineData(double.NaN)]
    public void ARelativeAccuracyOutsideItsRangeIsRejected(double relativeAccuracy) =>
        Assert.Throws<ArgumentOutOfRangeException>("relativeAccuracy", () => new DDSketch(relativeAccuracy));

    [Theory]
    [InlineData(0)]
    [InlineData(DDSketch.MaxMaxBins + 1)]
    public void AMaximumBinCountOutsideItsRangeIsRejected(int maxBins) =>
        Assert.Throws<ArgumentOutOfRangeException>("maxBins", () => new DDSketch(maxBins: maxBins));

    [Fact]
    public void QuantilesOfAnEmptySketchAreNaN()
    {
        var estimates = new double[2];

        new DDSketch().Quantiles([0.5, 0.99], estimates);

        Assert.All(estimates, e => Assert.True(double.IsNaN(e)));
    }

    [Fact]
    public void QuantilesMustBeAscendingWithOneSlotEach()
    {
        var sketch = LatencyData.Sketch([1, 2, 3]);

        Assert.Throws<ArgumentException>("quantiles", () => sketch.Quantiles([0.9, 0.5], new double[2]));
        Assert.Throws<ArgumentException>("estimates", () => sketch.Quantiles([0.5, 0.9], new double[1]));
    }
}
