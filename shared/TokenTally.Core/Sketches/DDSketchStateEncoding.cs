using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TokenTally.Core.Sketches;

/// <summary>
/// A compact binary form of a <see cref="DDSketchState"/> for storage: a few hundred bytes where the JSON form of the
/// dense bins takes kilobytes, and a fraction of the work to read back. The round trip is exact.
/// </summary>
/// <remarks>
/// <para>
/// Layout (version 1): the version byte 1; <see cref="DDSketchState.RelativeAccuracy"/> as an 8-byte little-endian
/// double; <see cref="DDSketchState.MaxBins"/> as a zigzag LEB128 varint; <see cref="DDSketchState.Count"/> and
/// <see cref="DDSketchState.ZeroCount"/> as unsigned LEB128 varints; <see cref="DDSketchState.Sum"/>,
/// <see cref="DDSketchState.Min"/> and <see cref="DDSketchState.Max"/> as 8-byte little-endian doubles;
/// <see cref="DDSketchState.BinOffset"/> as a zigzag varint; the number of bins (the length of
/// <see cref="DDSketchState.BinCounts"/>) and the number of non-zero bins as varints; then, for each non-zero bin in
/// order, the number of zero bins before it (since the previous non-zero bin) and its count, both varints.
/// </para>
/// <para>
/// Counts are written as the unsigned reinterpretation of the <see cref="long"/>, so even a state that
/// <see cref="DDSketch.FromState(DDSketchState)"/> would reject round-trips unchanged; checking consistency is left to
/// <see cref="DDSketch.FromState(DDSketchState)"/>.
/// </para>
/// </remarks>
public static class DDSketchStateEncoding
{
    /// <summary>The version byte this encoder writes and the only one the decoder reads.</summary>
    public const byte Version = 1;

    private const int MaxVarintLength = 10;

    /// <summary>Encodes a state.</summary>
    /// <param name="state">The state; its <see cref="DDSketchState.BinCounts"/> must not be null.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> or its bins are null.</exception>
    public static byte[] Encode(DDSketchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.BinCounts, nameof(state) + "." + nameof(state.BinCounts));
        var bins = state.BinCounts;
        var nonZero = 0;
        foreach (var count in bins)
        {
            nonZero += count == 0 ? 0 : 1;
        }

        // Fixed part: version, four doubles, and six varints at most; then two varints per non-zero bin.
        var buffer = new byte[1 + (4 * sizeof(double)) + (6 * MaxVarintLength) + (2 * MaxVarintLength * nonZero)];
        var position = 0;
        buffer[position++] = Version;
        WriteDouble(buffer, ref position, state.RelativeAccuracy);
        WriteVarint(buffer, ref position, ZigZag(state.MaxBins));
        WriteVarint(buffer, ref position, (ulong)state.Count);
        WriteVarint(buffer, ref position, (ulong)state.ZeroCount);
        WriteDouble(buffer, ref position, state.Sum);
        WriteDouble(buffer, ref position, state.Min);
        WriteDouble(buffer, ref position, state.Max);
        WriteVarint(buffer, ref position, ZigZag(state.BinOffset));
        WriteVarint(buffer, ref position, (uint)bins.Length);
        WriteVarint(buffer, ref position, (uint)nonZero);
        var zerosBefore = 0u;
        foreach (var count in bins)
        {
            if (count == 0)
            {
                zerosBefore++;
                continue;
            }

            WriteVarint(buffer, ref position, zerosBefore);
            WriteVarint(buffer, ref position, (ulong)count);
            zerosBefore = 0;
        }

        return buffer[..position];
    }

    /// <summary>Decodes bytes written by <see cref="Encode(DDSketchState)"/>.</summary>
    /// <param name="encoded">The encoded bytes, exactly (no trailing bytes).</param>
    /// <returns>The state that was encoded; pass it to <see cref="DDSketch.FromState(DDSketchState)"/> to check and rebuild the sketch.</returns>
    /// <exception cref="FormatException">The bytes are truncated, have trailing data, an unknown version, or bins that do not fit.</exception>
    public static DDSketchState Decode(ReadOnlySpan<byte> encoded)
    {
        var position = 0;
        var statistics = ReadStatistics(encoded, ref position, out var binLength, out var nonZero);
        var bins = new long[binLength];
        ReadBins(encoded, ref position, nonZero, bins);
        return statistics with { BinCounts = bins };
    }

    /// <summary>
    /// Decodes bytes written by <see cref="Encode(DDSketchState)"/> straight into a sketch, with the checks of
    /// <see cref="DDSketch.FromState(DDSketchState)"/> but without an intermediate array of bins.
    /// </summary>
    /// <param name="encoded">The encoded bytes, exactly (no trailing bytes).</param>
    /// <returns>The sketch whose state was encoded.</returns>
    /// <exception cref="FormatException">The bytes are damaged (as for <see cref="Decode(ReadOnlySpan{byte})"/>) or the state is inconsistent.</exception>
    public static DDSketch DecodeSketch(ReadOnlySpan<byte> encoded)
    {
        var position = 0;
        var statistics = ReadStatistics(encoded, ref position, out var binLength, out var nonZero);
        var rented = ArrayPool<long>.Shared.Rent(binLength);
        try
        {
            var bins = rented.AsSpan(0, binLength);
            bins.Clear();
            ReadBins(encoded, ref position, nonZero, bins);
            return DDSketch.FromState(statistics, bins);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(rented);
        }
    }

    /// <summary>Reads everything up to the bins; the returned state has no bins yet.</summary>
    private static DDSketchState ReadStatistics(ReadOnlySpan<byte> encoded, ref int position, out int binLength, out int nonZero)
    {
        if (encoded.IsEmpty || encoded[position++] != Version)
        {
            Fail(encoded.IsEmpty ? "it is empty" : $"version {encoded[0]} is not {Version}");
        }

        var relativeAccuracy = ReadDouble(encoded, ref position);
        var maxBins = UnZigZag(ReadVarint(encoded, ref position), "MaxBins");
        var count = (long)ReadVarint(encoded, ref position);
        var zeroCount = (long)ReadVarint(encoded, ref position);
        var sum = ReadDouble(encoded, ref position);
        var min = ReadDouble(encoded, ref position);
        var max = ReadDouble(encoded, ref position);
        var binOffset = UnZigZag(ReadVarint(encoded, ref position), "the bin offset");
        binLength = ReadInt32(encoded, ref position, "the number of bins");
        nonZero = ReadInt32(encoded, ref position, "the number of non-zero bins");

        // Bounds the allocation by what a valid sketch can hold, whatever the bytes claim.
        if (binLength > DDSketch.MaxMaxBins || nonZero > binLength)
        {
            Fail($"it claims {binLength} bins ({nonZero} non-zero), more than a sketch holds");
        }

        return new DDSketchState
        {
            RelativeAccuracy = relativeAccuracy,
            MaxBins = maxBins,
            Count = count,
            ZeroCount = zeroCount,
            Sum = sum,
            Min = min,
            Max = max,
            BinOffset = binOffset,
            BinCounts = [],
        };
    }

    /// <summary>Reads the non-zero bins into <paramref name="bins"/>, which must be all zeros, and checks nothing follows.</summary>
    private static void ReadBins(ReadOnlySpan<byte> encoded, ref int position, int nonZero, Span<long> bins)
    {
        var index = 0L;
        for (var i = 0; i < nonZero; i++)
        {
            var zerosBefore = ReadVarint(encoded, ref position);
            if (zerosBefore >= (ulong)(bins.Length - index))
            {
                Fail($"a non-zero bin lies past the {bins.Length} bins");
            }

            index += (long)zerosBefore;

            bins[(int)index++] = (long)ReadVarint(encoded, ref position);
        }

        if (position != encoded.Length)
        {
            Fail($"{encoded.Length - position} bytes follow the last bin");
        }
    }

    private static ulong ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static int UnZigZag(ulong value, string what) => value > uint.MaxValue
        ? Fail<int>($"{what} does not fit 32 bits")
        : (int)((uint)value >> 1) ^ -(int)((uint)value & 1);

    private static void WriteDouble(byte[] buffer, ref int position, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(position), value);
        position += sizeof(double);
    }

    private static void WriteVarint(byte[] buffer, ref int position, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[position++] = (byte)value;
    }

    private static double ReadDouble(ReadOnlySpan<byte> encoded, ref int position)
    {
        if (encoded.Length - position < sizeof(double))
        {
            Fail("it is truncated");
        }

        var value = BinaryPrimitives.ReadDoubleLittleEndian(encoded[position..]);
        position += sizeof(double);
        return value;
    }

    private static int ReadInt32(ReadOnlySpan<byte> encoded, ref int position, string what)
    {
        var value = ReadVarint(encoded, ref position);
        return value <= int.MaxValue ? (int)value : Fail<int>($"{what} does not fit 31 bits");
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> encoded, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= encoded.Length)
            {
                Fail("it is truncated");
            }

            var b = encoded[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        return Fail<ulong>("a varint is longer than 10 bytes");
    }

    [DoesNotReturn]
    private static void Fail(string problem) => throw new FormatException("Invalid encoded DDSketch state: " + problem + ".");

    [DoesNotReturn]
    private static T Fail<T>(string problem) => throw new FormatException("Invalid encoded DDSketch state: " + problem + ".");
}
