using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace TokenTally.Core.Sketches;

/// <summary>
/// A serializable snapshot of a <see cref="DDSketch"/>, taken by <see cref="DDSketch.ToState"/> and read back by
/// <see cref="DDSketch.FromState(DDSketchState)"/>. It round-trips exactly through System.Text.Json (doubles are written
/// in their shortest round-trippable form and every property is required).
/// </summary>
/// <remarks>
/// The bins are stored densely from the lowest to the highest non-empty bucket: <see cref="BinCounts"/>[i] is the count
/// of bucket index <see cref="BinOffset"/> + i. Latency data at 1% accuracy spans a few hundred bins, so an hourly
/// snapshot is a few kilobytes of JSON. An empty sketch stores 0 for <see cref="Min"/>, <see cref="Max"/>,
/// <see cref="Sum"/> and <see cref="BinOffset"/>, and no bins (JSON has no NaN). Equality compares the bins by content.
/// </remarks>
public sealed record DDSketchState
{
    /// <summary>The relative accuracy α of the sketch; sketches merge only when theirs are equal.</summary>
    public required double RelativeAccuracy { get; init; }

    /// <summary>The largest number of consecutive bins the sketch keeps before collapsing the lowest ones.</summary>
    public required int MaxBins { get; init; }

    /// <summary>How many values the sketch holds, zeros included: <see cref="ZeroCount"/> plus the sum of <see cref="BinCounts"/>.</summary>
    public required long Count { get; init; }

    /// <summary>How many of the values are zero.</summary>
    public required long ZeroCount { get; init; }

    /// <summary>The sum of the values; 0 when empty.</summary>
    public required double Sum { get; init; }

    /// <summary>The exact smallest value; 0 when empty.</summary>
    public required double Min { get; init; }

    /// <summary>The exact largest value; 0 when empty.</summary>
    public required double Max { get; init; }

    /// <summary>The bucket index of <see cref="BinCounts"/>[0]; 0 when there are no bins.</summary>
    public required int BinOffset { get; init; }

    /// <summary>The counts of consecutive buckets from <see cref="BinOffset"/>; the first and last are never 0.</summary>
    public required long[] BinCounts { get; init; }

    /// <summary>Compares every property, the bins by content.</summary>
    /// <param name="other">The state to compare with.</param>
    /// <returns>Whether both states describe the same sketch.</returns>
    public bool Equals(DDSketchState? other) =>
        other is not null
        && RelativeAccuracy.Equals(other.RelativeAccuracy)
        && MaxBins == other.MaxBins
        && Count == other.Count
        && ZeroCount == other.ZeroCount
        && Sum.Equals(other.Sum)
        && Min.Equals(other.Min)
        && Max.Equals(other.Max)
        && BinOffset == other.BinOffset
        && (ReferenceEquals(BinCounts, other.BinCounts)
            || (BinCounts is not null && other.BinCounts is not null && BinCounts.AsSpan().SequenceEqual(other.BinCounts)));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(RelativeAccuracy);
        hash.Add(MaxBins);
        hash.Add(Count);
        hash.Add(ZeroCount);
        hash.Add(Sum);
        hash.Add(Min);
        hash.Add(Max);
        hash.Add(BinOffset);
        hash.AddBytes(MemoryMarshal.AsBytes(BinCounts.AsSpan()));
        return hash.ToHashCode();
    }
}

/// <summary>Checks a <see cref="DDSketchState"/> before a sketch is rebuilt from it.</summary>
internal static class DDSketchStateValidator
{
    // The sum is a floating-point sum of up to billions of terms; bounds derived from Min and Max allow for its rounding.
    private const double SumTolerance = 1e-6;

    public static void ValidateConfiguration(DDSketchState state)
    {
        if (!DDSketch.IsValidRelativeAccuracy(state.RelativeAccuracy))
        {
            Fail($"RelativeAccuracy is {state.RelativeAccuracy}; it must be at least {DDSketch.MinRelativeAccuracy} and less than 1.");
        }

        if (state.MaxBins is < 1 or > DDSketch.MaxMaxBins)
        {
            Fail($"MaxBins is {state.MaxBins}; it must be from 1 to {DDSketch.MaxMaxBins}.");
        }
    }

    public static void ValidateContents(DDSketchState state, DDSketch sketch)
    {
        if (state.BinCounts is not { } bins)
        {
            Fail($"BinCounts is missing.");
            return;
        }

        ValidateContents(state, bins, sketch);
    }

    /// <summary>Checks the state's statistics against <paramref name="bins"/>, which stand in for its <see cref="DDSketchState.BinCounts"/>.</summary>
    public static void ValidateContents(DDSketchState state, ReadOnlySpan<long> bins, DDSketch sketch)
    {
        if (state.Count < 0 || state.ZeroCount < 0 || state.ZeroCount > state.Count)
        {
            Fail($"Count is {state.Count} and ZeroCount {state.ZeroCount}; both must be 0 or more and ZeroCount at most Count.");
        }

        ValidateBins(state, bins, sketch);
        ValidateStatistics(state, bins, sketch);
    }

    private static void ValidateBins(DDSketchState state, ReadOnlySpan<long> bins, DDSketch sketch)
    {
        if (bins.Length > state.MaxBins)
        {
            Fail($"BinCounts has {bins.Length} bins, more than MaxBins ({state.MaxBins}).");
        }

        if (bins.Length == 0)
        {
            if (state.BinOffset != 0)
            {
                Fail($"BinOffset is {state.BinOffset} but there are no bins; it must be 0.");
            }

            return;
        }

        if (bins[0] == 0 || bins[^1] == 0)
        {
            Fail($"BinCounts starts or ends with an empty bin; the bins must be trimmed to the non-empty range.");
        }

        long positive = 0;
        for (var i = 0; i < bins.Length; i++)
        {
            if (bins[i] < 0)
            {
                Fail($"BinCounts[{i}] is {bins[i]}; counts cannot be negative.");
            }

            positive += bins[i];
            if (positive < 0)
            {
                Fail($"The bin counts add up to more than a 64-bit count can hold.");
            }
        }

        if (positive != state.Count - state.ZeroCount)
        {
            Fail($"The bin counts add up to {positive}, but Count − ZeroCount is {state.Count - state.ZeroCount}.");
        }

        // One index of slack either way: Math.Log may round differently on another platform.
        long lowestKey = sketch.KeyOf(double.Epsilon) - 1;
        long highestKey = sketch.KeyOf(double.MaxValue) + 1;
        var lastKey = (long)state.BinOffset + bins.Length - 1;
        if (state.BinOffset < lowestKey || lastKey > highestKey)
        {
            Fail($"The bins span indexes {state.BinOffset} to {lastKey}, outside the {lowestKey} to {highestKey} that doubles reach at relative accuracy {state.RelativeAccuracy}.");
        }
    }

    private static void ValidateStatistics(DDSketchState state, ReadOnlySpan<long> bins, DDSketch sketch)
    {
        if (state.Count == 0)
        {
            if (state.Sum != 0 || state.Min != 0 || state.Max != 0)
            {
                Fail($"The state is empty (Count 0) but Sum, Min and Max are {state.Sum}, {state.Min} and {state.Max}; they must be 0.");
            }

            return;
        }

        if (!(state.Min >= 0 && state.Min <= state.Max && state.Max <= double.MaxValue))
        {
            Fail($"Min is {state.Min} and Max {state.Max}; they must be finite with 0 ≤ Min ≤ Max.");
        }

        if ((state.ZeroCount > 0) != (state.Min == 0))
        {
            Fail($"ZeroCount is {state.ZeroCount} but Min is {state.Min}; Min is 0 exactly when there are zeros.");
        }

        var positive = state.Count - state.ZeroCount;
        if ((positive > 0) != (state.Max > 0))
        {
            Fail($"There are {positive} positive values but Max is {state.Max}; Max is positive exactly when they exist.");
        }

        if (positive > 0)
        {
            var lastKey = (long)state.BinOffset + bins.Length - 1;
            if (Math.Abs(sketch.KeyOf(state.Max) - lastKey) > 1)
            {
                Fail($"Max {state.Max} belongs in bin {sketch.KeyOf(state.Max)}, but the highest bin is {lastKey}.");
            }

            // Collapsing moves the lowest values up into BinOffset, never down.
            if (state.Min > 0 && sketch.KeyOf(state.Min) > state.BinOffset + 1L)
            {
                Fail($"Min {state.Min} belongs in bin {sketch.KeyOf(state.Min)}, above the lowest bin {state.BinOffset}.");
            }
        }

        var highest = state.Max * positive * (1 + SumTolerance);
        var lowest = state.Min * state.Count * (1 - SumTolerance);
        if (!(state.Sum >= lowest && state.Sum <= highest && state.Sum <= double.MaxValue))
        {
            Fail($"Sum is {state.Sum}; with {state.Count} values between Min {state.Min} and Max {state.Max} it must be between {lowest} and {highest}.");
        }
    }

    [DoesNotReturn]
    private static void Fail(FormattableString problem) =>
        throw new FormatException("Invalid DDSketch state: " + problem.ToString(CultureInfo.InvariantCulture));
}
