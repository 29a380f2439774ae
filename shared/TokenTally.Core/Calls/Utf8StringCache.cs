using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace TokenTally.Core.Calls;

/// <summary>
/// A bounded map from the UTF-8 bytes of short, often repeated ASCII values (provider, model, environment, tag keys …)
/// to their strings, so a batch that names <c>gpt-4o</c> 500 times transcodes and allocates it once. Safe to share
/// between threads without locks: each slot holds one string, replaced whole, and a hit compares every byte with every
/// character, so a lookup returns a string equal to the bytes or nothing. Values that are not ASCII are not cached.
/// </summary>
public sealed class Utf8StringCache
{
    private readonly string?[] _slots;
    private readonly int _mask;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="capacity">How many values it holds at most, rounded up to a power of two (default 1,024).</param>
    /// <param name="maxValueBytes">Longer values are never cached (default 64 bytes).</param>
    /// <exception cref="ArgumentOutOfRangeException">When either is below 1.</exception>
    public Utf8StringCache(int capacity = 1024, int maxValueBytes = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValueBytes, 1);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new string?[size];
        _mask = size - 1;
        MaxValueBytes = maxValueBytes;
    }

    /// <summary>How many values the cache holds at most.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The longest value, in UTF-8 bytes, the cache keeps.</summary>
    public int MaxValueBytes { get; }

    /// <summary>How many values the cache holds now (at most <see cref="Capacity"/>).</summary>
    public int Count => _slots.Count(slot => slot is not null);

    /// <summary>The cached string whose characters are exactly <paramref name="utf8"/>, if there is one.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out string? value)
    {
        if (utf8.Length <= MaxValueBytes && Volatile.Read(ref _slots[SlotOf(utf8)]) is { } cached && Ascii.Equals(utf8, cached))
        {
            value = cached;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="value"/> for <paramref name="utf8"/>, replacing whatever shared its slot, when the bytes are
    /// ASCII, no longer than <see cref="MaxValueBytes"/>, and exactly the value's characters; otherwise does nothing.
    /// </summary>
    /// <param name="utf8">The value's bytes as they appear in the JSON (unescaped).</param>
    /// <param name="value">The string those bytes decode to.</param>
    public void Add(ReadOnlySpan<byte> utf8, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (utf8.Length <= MaxValueBytes && Ascii.Equals(utf8, value))
        {
            Volatile.Write(ref _slots[SlotOf(utf8)], value);
        }
    }

    /// <summary>
    /// A cheap hash of the length and the first, middle and last eight bytes: values differing elsewhere share a slot,
    /// which costs a miss, never a wrong answer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(ReadOnlySpan<byte> utf8)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = (ulong)utf8.Length * Multiplier;
        if (utf8.Length >= sizeof(ulong))
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8)) * Multiplier;
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8.Slice((utf8.Length - sizeof(ulong)) / 2))) * Multiplier;
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[^sizeof(ulong)..])) * Multiplier;
        }
        else
        {
            foreach (var b in utf8)
            {
                hash = (hash ^ b) * Multiplier;
            }
        }

        return (int)(hash >> 40) & _mask;
    }
}
