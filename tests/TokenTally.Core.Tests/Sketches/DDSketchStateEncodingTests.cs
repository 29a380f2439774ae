using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Sketches;

namespace TokenTally.Core.Tests.Sketches;

/// <summary>The compact binary form of a sketch state: exact round trips, and clear failures on damaged bytes.</summary>
public sealed class DDSketchStateEncodingTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static DDSketchState RoundTrip(DDSketchState state) => DDSketchStateEncoding.Decode(DDSketchStateEncoding.Encode(state));

    private static readonly Gen<double> Latencies = Gen.Choose(0, 1_000_000).Select(i => i == 0 ? 0 : Math.Exp(i / 1_000_000.0 * 20) / 100);

    /// <summary>Sketches as the rollups make them, including small bin limits that force collapsing.</summary>
    private static readonly Gen<DDSketch> Sketches =
        from accuracy in Gen.Elements(0.005, 0.01, 0.02, 0.05)
        from maxBins in Gen.Elements(1, 2, 16, 200, DDSketch.DefaultMaxBins)
        from values in Gen.Choose(0, 3_000).SelectMany(Latencies.ArrayOf)
        select LatencyData.Sketch(values, accuracy, maxBins);

    /// <summary>Any field values at all, consistent or not: the encoding is a format, not a validator.</summary>
    private static readonly Gen<DDSketchState> ArbitraryStates =
        from doubles in ArbMap.Default.GeneratorFor<double>().ArrayOf(4)
        from ints in ArbMap.Default.GeneratorFor<int>().ArrayOf(2)
        from longs in ArbMap.Default.GeneratorFor<long>().ArrayOf(2)
        from bins in Gen.Frequency((2, Gen.Constant(0L)), (1, ArbMap.Default.GeneratorFor<long>())).ArrayOf()
        select new DDSketchState
        {
            RelativeAccuracy = doubles[0],
            MaxBins = ints[0],
            Count = longs[0],
            ZeroCount = longs[1],
            Sum = doubles[1],
            Min = doubles[2],
            Max = doubles[3],
            BinOffset = ints[1],
            BinCounts = bins,
        };

    [Fact]
    public void EverySketchStateRoundTripsExactlyAndRebuildsTheSameSketch()
    {
        Check.One(Runs, Prop.ForAll(Sketches.ToArbitrary(), sketch =>
        {
            var state = sketch.ToState();

            var decoded = RoundTrip(state);

            Assert.Equal(state, decoded);
            Assert.Equal(sketch.Quantile(0.95), DDSketch.FromState(decoded).Quantile(0.95));
        }));
    }

    [Fact]
    public void DecodingStraightIntoASketchGivesTheSketchTheStateRebuilds()
    {
        Check.One(Runs, Prop.ForAll(Sketches.ToArbitrary(), sketch =>
        {
            var decoded = DDSketchStateEncoding.DecodeSketch(DDSketchStateEncoding.Encode(sketch.ToState()));

            Assert.Equal(sketch.ToState(), decoded.ToState());
            Assert.Equal(sketch.Quantile(0.5), decoded.Quantile(0.5));
        }));
    }

    [Fact]
    public void DecodingStraightIntoASketchChecksTheStateLikeFromState()
    {
        var inconsistent = LatencyData.Sketch([1.5, 40, 800]).ToState() with { Count = 4 };
        var encoded = DDSketchStateEncoding.Encode(inconsistent);

        var direct = Assert.Throws<FormatException>(() => DDSketchStateEncoding.DecodeSketch(encoded));
        var viaState = Assert.Throws<FormatException>(() => DDSketch.FromState(inconsistent));

        Assert.Equal(viaState.Message, direct.Message);
    }

    [Fact]
    public void AnyStateRoundTripsExactlyEvenOneTheSketchWouldReject()
    {
        Check.One(Runs, Prop.ForAll(ArbitraryStates.ToArbitrary(), state => Assert.Equal(state, RoundTrip(state))));
    }

    [Fact]
    public void AnEmptySketchRoundTrips()
    {
        var state = new DDSketch(0.02, maxBins: 512).ToState();

        Assert.Equal(state, RoundTrip(state));
        Assert.Equal(0, DDSketch.FromState(RoundTrip(state)).Count);
    }

    [Fact]
    public void ASketchOfOnlyZerosRoundTripsWithoutBins()
    {
        var state = LatencyData.Sketch([0, 0, 0]).ToState();

        var decoded = RoundTrip(state);

        Assert.Equal(state, decoded);
        Assert.Empty(decoded.BinCounts);
        Assert.Equal(3, decoded.ZeroCount);
    }

    [Fact]
    public void ACollapsedSketchRoundTripsWithItsCollapsedLowestBin()
    {
        var sketch = LatencyData.Sketch([0.01, 0.02, 0.5, 3, 90, 4_000, 60_000], maxBins: 8);
        var state = sketch.ToState();

        var decoded = RoundTrip(state);

        Assert.Equal(8, decoded.BinCounts.Length);
        Assert.Equal(state, decoded);
        Assert.Equal(sketch.Quantile(0.1), DDSketch.FromState(decoded).Quantile(0.1));
    }

    [Fact]
    public void NegativeBinOffsetsAndHugeCountsRoundTrip()
    {
        var state = LatencyData.Sketch([0.001, 0.002]).ToState();
        var huge = state with { Count = long.MaxValue, BinCounts = [long.MaxValue - 1, 0, 0, 1] };

        Assert.True(state.BinOffset < 0);
        Assert.Equal(state, RoundTrip(state));
        Assert.Equal(huge, RoundTrip(huge));
    }

    [Fact]
    public void TheEncodingOfAnHourOfLatenciesIsUnderHalfItsJson()
    {
        var state = LatencyData.Sketch(LatencyData.RealisticHour(2_000, seed: 3)).ToState();

        var encoded = DDSketchStateEncoding.Encode(state);
        var json = JsonSerializer.SerializeToUtf8Bytes(state, JsonSerializerOptions.Web);

        Assert.True(encoded.Length * 2 < json.Length, $"{encoded.Length} bytes encoded, {json.Length} bytes of JSON");
    }

    [Fact]
    public void TheFirstByteIsTheVersion()
    {
        Assert.Equal(DDSketchStateEncoding.Version, DDSketchStateEncoding.Encode(new DDSketch().ToState())[0]);
    }

    [Theory]
    [InlineData("empty", "it is empty")]
    [InlineData("unknown version", "version 2 is not 1")]
    [InlineData("truncated", "truncated")]
    [InlineData("trailing bytes", "1 bytes follow the last bin")]
    [InlineData("too many bins", "more than a sketch holds")]
    [InlineData("bin past the end", "past the")]
    public void DamagedBytesFailWithAFormatExceptionThatSaysWhy(string damage, string expected)
    {
        var valid = DDSketchStateEncoding.Encode(LatencyData.Sketch([0, 1.5, 40, 800]).ToState());
        var encoded = damage switch
        {
            "empty" => [],
            "unknown version" => [2, .. valid[1..]],
            "truncated" => valid[..^1],
            "trailing bytes" => [.. valid, 0],
            "too many bins" => DDSketchStateEncoding.Encode(new DDSketch().ToState() with { BinCounts = new long[DDSketch.MaxMaxBins + 1] }),
            "bin past the end" => Corrupt(valid),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };

        var error = Assert.Throws<FormatException>(() => DDSketchStateEncoding.Decode(encoded));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Makes the last non-zero bin's gap point past the end (the gap is the second-to-last byte for small counts).</summary>
    private static byte[] Corrupt(byte[] valid)
    {
        var corrupt = (byte[])valid.Clone();
        corrupt[^2] = 0x7F;
        return corrupt;
    }
}
