using System.Diagnostics.CodeAnalysis;

namespace TokenTally.Core.Calls;

/// <summary>
/// A call's tags, read-only, in the order they were sent; keys are distinct (the parser rejects a record that sends a
/// key twice). A record has a few tags (at most <see cref="CallEventLimits.MaxTags"/>), so one small array searched in
/// order is cheaper to build and to read than a hash table.
/// </summary>
public sealed class CallTags : IReadOnlyDictionary<string, string>
{
    private readonly KeyValuePair<string, string>[] _pairs;
    private readonly int _count;

    private CallTags(KeyValuePair<string, string>[] pairs, int count) => (_pairs, _count) = (pairs, count);

    /// <summary>No tags.</summary>
    public static CallTags Empty { get; } = new([], 0);

    /// <inheritdoc />
    public int Count => _count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => Pairs.Select(pair => pair.Key);

    /// <inheritdoc />
    public IEnumerable<string> Values => Pairs.Select(pair => pair.Value);

    private IEnumerable<KeyValuePair<string, string>> Pairs => new ArraySegment<KeyValuePair<string, string>>(_pairs, 0, _count);

    /// <inheritdoc />
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No tag '{key}'.");

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _pairs[index].Value : null;
        return index >= 0;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Pairs.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_pairs[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Collects tags as they are read.</summary>
    internal struct Builder
    {
        private const int FirstCapacity = 4;

        private KeyValuePair<string, string>[]? _pairs;
        private int _count;

        /// <summary>How many tags are added.</summary>
        public readonly int Count => _count;

        /// <summary>Adds a tag after the others; false, changing nothing, when its key is already there.</summary>
        public bool TryAdd(string key, string value)
        {
            _pairs ??= new KeyValuePair<string, string>[FirstCapacity];
            for (var i = 0; i < _count; i++)
            {
                if (string.Equals(_pairs[i].Key, key, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            if (_count == _pairs.Length)
            {
                Array.Resize(ref _pairs, _pairs.Length * 2);
            }

            _pairs[_count++] = new(key, value);
            return true;
        }

        /// <summary>The tags set so far; the builder must not be used after.</summary>
        public readonly CallTags Build() => _pairs is null ? Empty : new CallTags(_pairs, _count);
    }
}
