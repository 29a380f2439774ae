using System.Globalization;
using System.Numerics;

namespace TokenTally.Core.Sketches;

/// <summary>
/// A mergeable quantile sketch of non-negative values (latencies, time to first token) whose quantile estimates are
/// within a fixed relative error of the exact quantile: DDSketch (Masson, Rim and Lee, VLDB 2019).
/// </summary>
/// <remarks>
/// <para>
/// <b>Buckets.</b> With relative accuracy α, let γ = (1 + α) / (1 − α). A positive value <c>x</c> is counted in the
/// bucket with index <c>i = ⌈log_γ x⌉</c>, which holds the values in (γ^(i−1), γ^i]. The bucket's estimate
/// (1 − α)·γ^i = 2γ^i / (γ + 1) is within a factor (1 ± α) of every value in the bucket. Zero has a bucket of its own
/// and is reported exactly.
/// </para>
/// <para>
/// <b>Rank convention.</b> For <c>n</c> values sorted ascending as x₀ ≤ x₁ ≤ … ≤ x₍ₙ₋₁₎, the q-quantile is the lower
/// quantile x_k with <c>k = ⌊q·(n − 1)⌋</c> (0-based; the paper's rank ⌊1 + q(n − 1)⌋ counted from 1), so
/// <c>q = 0</c> is the minimum, <c>q = 1</c> the maximum and there is no interpolation between values.
/// <see cref="Quantile(double)"/> returns an estimate <c>v</c> with |v − x_k| ≤ α·x_k (up to floating-point rounding
/// at bucket boundaries, about 1e-15 relative).
/// </para>
/// <para>
/// <b>Merging.</b> Two sketches with the same relative accuracy merge by adding bucket counts, so merging loses
/// nothing: a sketch merged from hourly sketches holds exactly the buckets of one sketch fed every value of the day.
/// Count, zero count, minimum and maximum are exact; the sum is a floating-point sum, exact up to rounding.
/// </para>
/// <para>
/// <b>Bounded memory.</b> The buckets span at most <c>maxBins</c> consecutive indexes. When a value would widen the
/// span beyond that, the lowest buckets are collapsed into the lowest bucket that is still allowed. Only quantiles
/// that fall among collapsed values lose the accuracy guarantee (they are over-estimated); every quantile whose value
/// lies within a factor γ^(maxBins − 1) of the maximum stays within α. At α = 1% and the default 2,048 bins that factor
/// is about 10^17; latencies from 0.01 ms to 10 minutes (a factor 6·10^7) need about 900 bins, so in practice nothing
/// is collapsed.
/// </para>
/// <para>
/// <b>Cost.</b> <see cref="Add(double, long)"/> is O(1) and does not allocate once the bucket array has grown to cover
/// the data's range (a ring buffer whose length doubles up to the power of two at or above <c>maxBins</c>).
/// <see cref="Quantile(double)"/> and <see cref="Merge(DDSketch)"/> are linear in the number of bins.
/// Instances are not thread-safe.
/// </para>
/// </remarks>
public sealed class DDSketch
{
    /// <summary>The relative accuracy used when none is given: 1%.</summary>
    public const double DefaultRelativeAccuracy = 0.01;

    /// <summary>The bound on the number of bins used when none is given: 2,048.</summary>
    public const int DefaultMaxBins = 2048;

    /// <summary>The smallest accepted relative accuracy; below it bucket indexes of extreme doubles would not fit an <see cref="int"/>.</summary>
    public const double MinRelativeAccuracy = 1e-6;

    /// <summary>The largest accepted bound on the number of bins.</summary>
    public const int MaxMaxBins = 1 << 20;

    private const int InitialCapacity = 64;

    private readonly double _logGamma;
    private readonly double _inverseLogGamma;
    private readonly int _capacityLimit;

    // Ring buffer: the count of bucket index k lives at _bins[k & (_bins.Length - 1)]. Slots outside [_minKey, _maxKey]
    // are always zero. When the sketch holds positive values, _minKey and _maxKey are non-empty buckets.
    private long[] _bins = [];
    private int _minKey;
    private int _maxKey;
    private long _positiveCount;
    private long _zeroCount;
    private long _count;
    private double _sum;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="relativeAccuracy">
    /// The relative accuracy α of quantile estimates, from <see cref="MinRelativeAccuracy"/> (inclusive) to 1
    /// (exclusive); default 0.01 (1%).
    /// </param>
    /// <param name="maxBins">
    /// The largest number of consecutive bucket indexes kept before the lowest buckets are collapsed, from 1 to
    /// <see cref="MaxMaxBins"/>; default 2,048.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range (or is NaN).</exception>
    public DDSketch(double relativeAccuracy = DefaultRelativeAccuracy, int maxBins = DefaultMaxBins)
    {
        if (!IsValidRelativeAccuracy(relativeAccuracy))
        {
            throw new ArgumentOutOfRangeException(
                nameof(relativeAccuracy), relativeAccuracy,
                $"The relative accuracy must be at least {MinRelativeAccuracy} and less than 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBins, MaxMaxBins);

        RelativeAccuracy = relativeAccuracy;
        MaxBins = maxBins;
        _logGamma = LogGamma(relativeAccuracy);
        _inverseLogGamma = 1 / _logGamma;
        _capacityLimit = (int)BitOperations.RoundUpToPowerOf2((uint)maxBins);
    }

    /// <summary>The relative accuracy α: every quantile estimate is within a factor (1 ± α) of the exact quantile.</summary>
    public double RelativeAccuracy { get; }

    /// <summary>The largest number of consecutive bucket indexes kept before the lowest buckets are collapsed.</summary>
    public int MaxBins { get; }

    /// <summary>How many values were added (counting weights), including merged sketches.</summary>
    public long Count => _count;

    /// <summary>How many of the values were zero.</summary>
    public long ZeroCount => _zeroCount;

    /// <summary>The sum of the values (each multiplied by its weight); 0 when the sketch is empty.</summary>
    public double Sum => _sum;

    /// <summary>The exact smallest value; <see cref="double.NaN"/> when the sketch is empty.</summary>
    public double Min => _count == 0 ? double.NaN : _min;

    /// <summary>The exact largest value; <see cref="double.NaN"/> when the sketch is empty.</summary>
    public double Max => _count == 0 ? double.NaN : _max;

    /// <summary>
    /// The number of bins spanned by the positive values, from the lowest to the highest non-empty bucket (empty
    /// buckets in between included); never more than <see cref="MaxBins"/>. This is the length of
    /// <see cref="DDSketchState.BinCounts"/>.
    /// </summary>
    public int BinCount => _positiveCount == 0 ? 0 : _maxKey - _minKey + 1;

    /// <summary>Adds a value, <paramref name="count"/> times.</summary>
    /// <param name="value">A finite value, zero or more (a latency in milliseconds, say).</param>
    /// <param name="count">How many times the value occurred; at least 1. Default 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="value"/> is negative, NaN or infinite, or <paramref name="count"/> is less than 1.
    /// </exception>
    /// <exception cref="OverflowException">The count or the sum would overflow; the sketch is left unchanged.</exception>
    public void Add(double value, long count = 1)
    {
        if (!(value >= 0 && value <= double.MaxValue))
        {
            ThrowInvalidValue(value);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        var newCount = checked(_count + count);
        var newSum = _sum + (value * count);
        if (double.IsInfinity(newSum))
        {
            ThrowSumOverflow();
        }

        if (value == 0)
        {
            value = 0; // folds -0.0 into +0.0 so that Min never reports a negative zero
            _zeroCount += count;
        }
        else
        {
            AddToBucket(KeyOf(value), count);
            _positiveCount += count;
        }

        _count = newCount;
        _sum = newSum;
        if (value < _min)
        {
            _min = value;
        }

        if (value > _max)
        {
            _max = value;
        }
    }

    /// <summary>
    /// Adds every value of <paramref name="other"/> to this sketch. The result is the sketch of the combined values:
    /// bucket counts add, so merging in any order or grouping gives the same buckets.
    /// </summary>
    /// <param name="other">A sketch with the same <see cref="RelativeAccuracy"/>; it is not changed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException">The sketches have different relative accuracies.</exception>
    /// <exception cref="OverflowException">The count or the sum would overflow; the sketch is left unchanged.</exception>
    public void Merge(DDSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RelativeAccuracy != RelativeAccuracy)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Cannot merge a sketch with relative accuracy {other.RelativeAccuracy} into one with relative accuracy {RelativeAccuracy}."),
                nameof(other));
        }

        if (other._count == 0)
        {
            return;
        }

        if (ReferenceEquals(other, this))
        {
            other = Clone();
        }

        var newCount = checked(_count + other._count);
        var newSum = _sum + other._sum;
        if (double.IsInfinity(newSum))
        {
            ThrowSumOverflow();
        }

        if (other._positiveCount > 0)
        {
            // Other's highest bucket, then its lowest: the range grows (or collapses) at most once. Both are non-empty, so the
            // ends of the range stay non-empty buckets; every bucket between then lies inside the range, except those below
            // an allowed window, which count in its lowest bucket as AddToBucket would put them.
            var otherMask = other._bins.Length - 1;
            var highest = other._bins[other._maxKey & otherMask];
            AddToBucket(other._maxKey, highest);
            _positiveCount += highest;
            if (other._minKey < other._maxKey)
            {
                var lowest = other._bins[other._minKey & otherMask];
                AddToBucket(other._minKey, lowest);
                _positiveCount += lowest;
            }

            var mask = _bins.Length - 1;
            for (var key = other._minKey + 1; key < other._maxKey; key++)
            {
                var bucketCount = other._bins[key & otherMask];
                _bins[Math.Max(key, _minKey) & mask] += bucketCount;
                _positiveCount += bucketCount;
            }
        }

        _zeroCount += other._zeroCount;
        _count = newCount;
        _sum = newSum;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    /// <summary>
    /// Estimates the q-quantile: the lower quantile x_k, <c>k = ⌊q·(n − 1)⌋</c>, of the values sorted ascending
    /// (0-based), within <see cref="RelativeAccuracy"/> of the exact value unless it falls among collapsed buckets.
    /// </summary>
    /// <param name="q">The quantile, from 0 to 1: 0 returns <see cref="Min"/>, 1 returns <see cref="Max"/>, 0.99 the p99.</param>
    /// <returns>The estimate, always between <see cref="Min"/> and <see cref="Max"/>; <see cref="double.NaN"/> when the sketch is empty.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1] or NaN.</exception>
    public double Quantile(double q)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must be between 0 and 1.");
        }

        if (_count == 0)
        {
            return double.NaN;
        }

        if (q == 0)
        {
            return _min;
        }

        if (q == 1)
        {
            return _max;
        }

        var rank = (long)Math.Floor(q * (_count - 1));
        if (rank < _zeroCount)
        {
            return 0;
        }

        var seen = _zeroCount;
        var mask = _bins.Length - 1;
        for (var key = _minKey; key <= _maxKey; key++)
        {
            seen += _bins[key & mask];
            if (seen > rank)
            {
                return Math.Clamp(EstimateOf(key), _min, _max);
            }
        }

        return _max; // unreachable while the counts are consistent
    }

    /// <summary>
    /// Estimates several quantiles in one walk over the bins; each result equals <see cref="Quantile(double)"/> of the same q.
    /// </summary>
    /// <param name="quantiles">The quantiles, ascending, each from 0 to 1.</param>
    /// <param name="estimates">Receives one estimate per quantile (NaN when the sketch is empty).</param>
    /// <exception cref="ArgumentException">The quantiles are not ascending, or there is not one estimate slot per quantile.</exception>
    public void Quantiles(ReadOnlySpan<double> quantiles, Span<double> estimates)
    {
        if (estimates.Length != quantiles.Length)
        {
            throw new ArgumentException("There must be one estimate slot per quantile.", nameof(estimates));
        }

        var key = _minKey;
        var seen = _zeroCount + (_positiveCount == 0 ? 0 : _bins[key & (_bins.Length - 1)]);
        for (var i = 0; i < quantiles.Length; i++)
        {
            var q = quantiles[i];
            if (i > 0 && !(q >= quantiles[i - 1]))
            {
                throw new ArgumentException("The quantiles must be ascending.", nameof(quantiles));
            }

            var rank = _count == 0 || q is 0 or 1 || !(q >= 0 && q <= 1) ? -1 : (long)Math.Floor(q * (_count - 1));
            if (rank < _zeroCount)
            {
                estimates[i] = Quantile(q); // the empty sketch, 0, 1, zeros and invalid input take the one-quantile path
                continue;
            }

            // `seen` counts the values up to and including bucket `key`; ranks only grow, so the walk resumes where it stopped.
            while (seen <= rank && key < _maxKey)
            {
                key++;
                seen += _bins[key & (_bins.Length - 1)];
            }

            estimates[i] = seen > rank ? Math.Clamp(EstimateOf(key), _min, _max) : _max;
        }
    }

    /// <summary>Takes a snapshot for storage: the configuration, the exact statistics and the non-empty range of bins.</summary>
    /// <returns>A new state; changing the sketch later does not change it.</returns>
    public DDSketchState ToState()
    {
        var binCounts = new long[BinCount];
        var mask = _bins.Length - 1;
        for (var i = 0; i < binCounts.Length; i++)
        {
            binCounts[i] = _bins[(_minKey + i) & mask];
        }

        var empty = _count == 0;
        return new DDSketchState
        {
            RelativeAccuracy = RelativeAccuracy,
            MaxBins = MaxBins,
            Count = _count,
            ZeroCount = _zeroCount,
            Sum = _sum,
            Min = empty ? 0 : _min,
            Max = empty ? 0 : _max,
            BinOffset = _positiveCount == 0 ? 0 : _minKey,
            BinCounts = binCounts,
        };
    }

    /// <summary>Rebuilds a sketch from a snapshot taken by <see cref="ToState"/>, after checking that it is consistent.</summary>
    /// <param name="state">The snapshot; it is not changed and the sketch does not share its array.</param>
    /// <returns>A sketch equal to the one the snapshot was taken from.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="FormatException">The snapshot is inconsistent; the message names the offending field.</exception>
    public static DDSketch FromState(DDSketchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        DDSketchStateValidator.ValidateConfiguration(state);
        var sketch = new DDSketch(state.RelativeAccuracy, state.MaxBins);
        DDSketchStateValidator.ValidateContents(state, sketch);
        sketch.Restore(state, state.BinCounts);
        return sketch;
    }

    /// <summary>
    /// Rebuilds a sketch from the statistics of <paramref name="statistics"/> (its own bins are ignored) and
    /// <paramref name="bins"/>, after the same checks as <see cref="FromState(DDSketchState)"/>; lets a decoder keep the
    /// bins in a reused buffer.
    /// </summary>
    internal static DDSketch FromState(DDSketchState statistics, ReadOnlySpan<long> bins)
    {
        DDSketchStateValidator.ValidateConfiguration(statistics);
        var sketch = new DDSketch(statistics.RelativeAccuracy, statistics.MaxBins);
        DDSketchStateValidator.ValidateContents(statistics, bins, sketch);
        sketch.Restore(statistics, bins);
        return sketch;
    }

    private void Restore(DDSketchState state, ReadOnlySpan<long> bins)
    {
        if (bins.Length > 0)
        {
            EnsureCapacity(bins.Length, hasData: false);
            _minKey = state.BinOffset;
            _maxKey = state.BinOffset + bins.Length - 1;
            var mask = _bins.Length - 1;
            for (var i = 0; i < bins.Length; i++)
            {
                _bins[(state.BinOffset + i) & mask] = bins[i];
            }
        }

        _positiveCount = state.Count - state.ZeroCount;
        _zeroCount = state.ZeroCount;
        _count = state.Count;
        _sum = state.Sum;
        if (state.Count > 0)
        {
            _min = state.Min;
            _max = state.Max;
        }
    }

    /// <summary>Copies the sketch; the copy and the original change independently.</summary>
    /// <returns>A new sketch with the same configuration and contents.</returns>
    public DDSketch Clone()
    {
        var copy = (DDSketch)MemberwiseClone();
        copy._bins = (long[])_bins.Clone();
        return copy;
    }

    /// <summary>The bucket index of a positive finite value: ⌈log_γ value⌉.</summary>
    internal int KeyOf(double value) => (int)Math.Ceiling(Math.Log(value) * _inverseLogGamma);

    /// <summary>The value reported for a bucket: (1 − α)·γ^key, within a factor (1 ± α) of everything in (γ^(key−1), γ^key].</summary>
    internal double EstimateOf(int key) => Math.Exp(key * _logGamma) * (1 - RelativeAccuracy);

    internal static bool IsValidRelativeAccuracy(double relativeAccuracy) =>
        relativeAccuracy is >= MinRelativeAccuracy and < 1;

    internal static double LogGamma(double relativeAccuracy) =>
        Math.Log((1 + relativeAccuracy) / (1 - relativeAccuracy));

    private void AddToBucket(int key, long count)
    {
        if (_positiveCount == 0)
        {
            EnsureCapacity(1, hasData: false);
            _minKey = key;
            _maxKey = key;
        }
        else if (key < _minKey)
        {
            // Below the allowed window: counted in its lowest bucket (the span never exceeds MaxBins, so that bucket
            // is at or below _minKey).
            key = Math.Max(key, _maxKey - MaxBins + 1);
            if (key < _minKey)
            {
                EnsureCapacity(_maxKey - key + 1, hasData: true);
                _minKey = key;
            }
        }
        else if (key > _maxKey)
        {
            var lowestAllowed = key - MaxBins + 1;
            if (lowestAllowed > _minKey)
            {
                CollapseBelow(lowestAllowed);
            }

            EnsureCapacity(key - _minKey + 1, hasData: true);
            _maxKey = key;
        }

        // Cannot overflow: a bucket never holds more than Count, which the caller has checked.
        _bins[key & (_bins.Length - 1)] += count;
    }

    /// <summary>Moves the counts of every bucket below <paramref name="lowestAllowed"/> into that bucket.</summary>
    private void CollapseBelow(int lowestAllowed)
    {
        var mask = _bins.Length - 1;
        var last = Math.Min(lowestAllowed - 1, _maxKey);
        long collapsed = 0;
        for (var key = _minKey; key <= last; key++)
        {
            collapsed += _bins[key & mask];
            _bins[key & mask] = 0;
        }

        // The new range [lowestAllowed, max(_maxKey, lowestAllowed)] is no wider than the old one, so it fits the array.
        _bins[lowestAllowed & mask] += collapsed;
        _minKey = lowestAllowed;
        _maxKey = Math.Max(_maxKey, lowestAllowed);
    }

    /// <summary>Grows the ring buffer (by doubling) until it can hold <paramref name="span"/> consecutive buckets.</summary>
    private void EnsureCapacity(int span, bool hasData)
    {
        if (span <= _bins.Length)
        {
            return;
        }

        var capacity = Math.Max(_bins.Length, Math.Min(InitialCapacity, _capacityLimit));
        while (capacity < span)
        {
            capacity *= 2;
        }

        var bins = new long[capacity];
        if (hasData)
        {
            var oldMask = _bins.Length - 1;
            var newMask = capacity - 1;
            for (var key = _minKey; key <= _maxKey; key++)
            {
                bins[key & newMask] = _bins[key & oldMask];
            }
        }

        _bins = bins;
    }

    private static void ThrowInvalidValue(double value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, "The value must be finite and not negative.");

    private static void ThrowSumOverflow() =>
        throw new OverflowException("The sum of the sketch's values would be infinite.");
}
