using System.Text.Json;
using TokenTally.Core.Sketches;

namespace TokenTally.Core.Tests.Sketches;

public sealed class DDSketchStateTests
{
    private static readonly DDSketch Sample = LatencyData.Sketch([0, 0, 1.5, 40, 40, 800, 812.25, 20_000]);

    [Fact]
    public void TheStateHoldsTheExactStatisticsAndTheTrimmedBins()
    {
        var state = Sample.ToState();

        Assert.Equal(0.01, state.RelativeAccuracy);
        Assert.Equal(2048, state.MaxBins);
        Assert.Equal(8, state.Count);
        Assert.Equal(2, state.ZeroCount);
        Assert.Equal(0, state.Min);
        Assert.Equal(20_000, state.Max);
        Assert.Equal(21_693.75, state.Sum);
        Assert.Equal(Sample.KeyOf(1.5), state.BinOffset);
        Assert.Equal(Sample.KeyOf(20_000) - Sample.KeyOf(1.5) + 1, state.BinCounts.Length);
        Assert.Equal(6, state.BinCounts.Sum());
        Assert.NotEqual(0, state.BinCounts[0]);
        Assert.NotEqual(0, state.BinCounts[^1]);
    }

    [Fact]
    public void TheStateRoundTripsThroughJsonExactly()
    {
        var state = Sample.ToState();

        var json = JsonSerializer.Serialize(state);
        var restored = DDSketch.FromState(JsonSerializer.Deserialize<DDSketchState>(json)!);

        Assert.Equal(state, restored.ToState());
        Assert.Equal(json, JsonSerializer.Serialize(restored.ToState()));
        Assert.All(new[] { 0, 0.1, 0.3, 0.5, 0.9, 1 }, q => Assert.Equal(Sample.Quantile(q), restored.Quantile(q)));
    }

    [Fact]
    public void AnEmptySketchRoundTripsWithZerosInPlaceOfNaN()
    {
        var state = new DDSketch(0.02, maxBins: 512).ToState();

        var json = JsonSerializer.Serialize(state, JsonSerializerOptions.Web);
        var restored = DDSketch.FromState(JsonSerializer.Deserialize<DDSketchState>(json, JsonSerializerOptions.Web)!);

        Assert.Equal(
            """{"relativeAccuracy":0.02,"maxBins":512,"count":0,"zeroCount":0,"sum":0,"min":0,"max":0,"binOffset":0,"binCounts":[]}""",
            json);
        Assert.Equal(0, restored.Count);
        Assert.Equal(512, restored.MaxBins);
        Assert.True(double.IsNaN(restored.Min));
        Assert.True(double.IsNaN(restored.Quantile(0.5)));
    }

    [Fact]
    public void ASketchRebuiltFromStateKeepsAddingAndMerging()
    {
        var restored = DDSketch.FromState(Sample.ToState());
        restored.Add(3);
        restored.Merge(Sample);

        var expected = Sample.Clone();
        expected.Add(3);
        expected.Merge(Sample);

        Assert.Equal(expected.ToState(), restored.ToState());
    }

    [Fact]
    public void TheStateDoesNotShareItsArrayWithTheSketch()
    {
        var state = Sample.ToState();
        var restored = DDSketch.FromState(state);

        state.BinCounts[0] = 1_000;

        Assert.Equal(Sample.ToState(), restored.ToState());
    }

    [Fact]
    public void AMissingPropertyFailsToDeserialize() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DDSketchState>("""{"RelativeAccuracy":0.01,"MaxBins":2048}"""));

    [Theory]
    [InlineData("RelativeAccuracy is 0", nameof(DDSketchState.RelativeAccuracy))]
    [InlineData("RelativeAccuracy is 1", nameof(DDSketchState.RelativeAccuracy))]
    [InlineData("MaxBins is 0", nameof(DDSketchState.MaxBins))]
    [InlineData("BinCounts is null", nameof(DDSketchState.BinCounts))]
    [InlineData("Count is negative", nameof(DDSketchState.Count))]
    [InlineData("ZeroCount exceeds Count", nameof(DDSketchState.ZeroCount))]
    [InlineData("Count disagrees with the bins", "Count − ZeroCount")]
    [InlineData("a bin count is negative", "BinCounts[1]")]
    [InlineData("the first bin is empty", "starts or ends with an empty bin")]
    [InlineData("the last bin is empty", "starts or ends with an empty bin")]
    [InlineData("more bins than MaxBins", nameof(DDSketchState.MaxBins))]
    [InlineData("BinOffset set without bins", nameof(DDSketchState.BinOffset))]
    [InlineData("bins beyond the double range", "outside the")]
    [InlineData("Min above Max", "0 ≤ Min ≤ Max")]
    [InlineData("Min is NaN", "0 ≤ Min ≤ Max")]
    [InlineData("Max is infinite", "0 ≤ Min ≤ Max")]
    [InlineData("Min positive despite zeros", nameof(DDSketchState.ZeroCount))]
    [InlineData("Max not in the highest bin", "highest bin")]
    [InlineData("Min above the lowest bin", "lowest bin")]
    [InlineData("Sum negative", nameof(DDSketchState.Sum))]
    [InlineData("Sum above Count × Max", nameof(DDSketchState.Sum))]
    [InlineData("an empty state with a Max", "empty")]
    public void AnInconsistentStateIsRejectedWithAMessageNamingTheProblem(string corruption, string mentioned)
    {
        var valid = Sample.ToState();
        var bins = valid.BinCounts;
        var state = corruption switch
        {
            "RelativeAccuracy is 0" => valid with { RelativeAccuracy = 0 },
            "RelativeAccuracy is 1" => valid with { RelativeAccuracy = 1 },
            "MaxBins is 0" => valid with { MaxBins = 0 },
            "BinCounts is null" => valid with { BinCounts = null! },
            "Count is negative" => valid with { Count = -1, ZeroCount = 0 },
            "ZeroCount exceeds Count" => valid with { ZeroCount = valid.Count + 1 },
            "Count disagrees with the bins" => valid with { Count = valid.Count + 1 },
            "a bin count is negative" => valid with { BinCounts = [bins[0], -1, .. bins[2..^1], bins[^1] + 1] },
            "the first bin is empty" => valid with { BinCounts = [0, .. bins], BinOffset = valid.BinOffset - 1 },
            "the last bin is empty" => valid with { BinCounts = [.. bins, 0] },
            "more bins than MaxBins" => valid with { MaxBins = bins.Length - 1 },
            "BinOffset set without bins" => new DDSketch().ToState() with { BinOffset = 7 },
            "bins beyond the double range" => valid with { BinOffset = 40_000 },
            "Min above Max" => valid with { ZeroCount = 0, Count = 6, Min = 30_000 },
            "Min is NaN" => valid with { Min = double.NaN },
            "Max is infinite" => valid with { Max = double.PositiveInfinity },
            "Min positive despite zeros" => valid with { Min = 1 },
            "Max not in the highest bin" => valid with { Max = 40_000 },
            "Min above the lowest bin" => valid with { ZeroCount = 0, Count = 6, Min = 40 },
            "Sum negative" => valid with { Sum = -1 },
            "Sum above Count × Max" => valid with { Sum = 6 * 20_000 * 1.001 },
            "an empty state with a Max" => new DDSketch().ToState() with { Max = 5 },
            _ => throw new ArgumentOutOfRangeException(nameof(corruption), corruption, null),
        };

        var error = Assert.Throws<FormatException>(() => DDSketch.FromState(state));

        Assert.StartsWith("Invalid DDSketch state: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StatesCompareByTheirBinsContent()
    {
        var first = Sample.ToState();
        var second = Sample.ToState();

        Assert.NotSame(first.BinCounts, second.BinCounts);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, second with { BinCounts = [.. second.BinCounts[..^1], second.BinCounts[^1] + 1] });
    }
}
