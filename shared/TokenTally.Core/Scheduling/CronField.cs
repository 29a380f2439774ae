using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace TokenTally.Core.Scheduling;

/// <summary>One of the six NCRONTAB fields: its name in messages, its value range and the names it accepts.</summary>
internal sealed class CronFieldKind
{
    public static readonly CronFieldKind Second = new("second", 0, 59, []);
    public static readonly CronFieldKind Minute = new("minute", 0, 59, []);
    public static readonly CronFieldKind Hour = new("hour", 0, 23, []);
    public static readonly CronFieldKind DayOfMonth = new("day-of-month", 1, 31, []);

    public static readonly CronFieldKind Month = new(
        "month", 1, 12,
        ["January", "February", "March", "April", "May", "June",
         "July", "August", "September", "October", "November", "December"]);

    public static readonly CronFieldKind DayOfWeek = new(
        "day-of-week", 0, 6,
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]);

    private readonly string[] _names;

    private CronFieldKind(string name, int min, int max, string[] names)
    {
        Name = name;
        Min = min;
        Max = max;
        _names = names;
    }

    public string Name { get; }

    public int Min { get; }

    public int Max { get; }

    public bool HasNames => _names.Length > 0;

    /// <summary>What a value may look like, for error messages: "Jan-Dec, January-December or 1-12".</summary>
    public string ExpectedValues => HasNames
        ? $"{_names[0][..3]}-{_names[^1][..3]}, {_names[0]}-{_names[^1]} or {Min}-{Max}"
        : $"{Min}-{Max}";

    /// <summary>Looks up a three-letter abbreviation or a full English name, ignoring case.</summary>
    public bool TryGetNamedValue(ReadOnlySpan<char> name, out int value)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            var full = _names[i];
            if (name.Equals(full, StringComparison.OrdinalIgnoreCase)
                || name.Equals(full.AsSpan(0, 3), StringComparison.OrdinalIgnoreCase))
            {
                value = Min + i;
                return true;
            }
        }

        value = 0;
        return false;
    }
}

/// <summary>
/// The set of values one NCRONTAB field allows, held as a bit mask (bit <c>n</c> set when value <c>n</c> is allowed),
/// so that membership and "next allowed value" are single bit operations.
/// </summary>
internal readonly struct CronField
{
    private const int LargeNumber = 1_000_000_000;

    private readonly ulong _bits;

    private CronField(ulong bits) => _bits = bits;

    /// <summary>A field that allows exactly one value (the implied seconds field of a five-field expression).</summary>
    public static CronField Single(int value) => new(1UL << value);

    public bool Contains(int value) => value is >= 0 and < 64 && (_bits & (1UL << value)) != 0;

    /// <summary>The smallest allowed value that is at least <paramref name="value"/>, or -1 when there is none.</summary>
    public int NextAtOrAfter(int value)
    {
        if (value >= 64)
        {
            return -1;
        }

        var candidates = _bits & (ulong.MaxValue << Math.Max(value, 0));
        return candidates == 0 ? -1 : BitOperations.TrailingZeroCount(candidates);
    }

    /// <summary>Parses one field; on failure <paramref name="error"/> names the field and quotes the offending text.</summary>
    public static bool TryParse(CronFieldKind kind, string text, out CronField field, [NotNullWhen(false)] out string? error)
    {
        field = default;
        var bits = 0UL;
        foreach (var item in text.Split(','))
        {
            if (item.Length == 0)
            {
                error = $"{kind.Name} field '{text}' has an empty list item";
                return false;
            }

            error = TryAddItem(kind, item, ref bits);
            if (error is not null)
            {
                return false;
            }
        }

        field = new CronField(bits);
        error = null;
        return true;
    }

    // item := '*' ['/' step] | value ['-' value] ['/' step]; value := digits | name; "a/n" means a-max/n.
    private static string? TryAddItem(CronFieldKind kind, string item, ref ulong bits)
    {
        var position = 0;
        int first;
        int last;
        var isSingleValue = false;
        if (item[0] == '*')
        {
            position = 1;
            first = kind.Min;
            last = kind.Max;
        }
        else
        {
            if (ReadValue(kind, item, ref position, out first) is { } valueError)
            {
                return valueError;
            }

            last = first;
            isSingleValue = true;
            if (position < item.Length && item[position] == '-')
            {
                position++;
                isSingleValue = false;
                if (ReadValue(kind, item, ref position, out last) is { } endError)
                {
                    return endError;
                }

                if (last < first)
                {
                    return $"{kind.Name} field '{item}' is a reversed range (start {first} is after end {last})";
                }
            }
        }

        var step = 1;
        if (position < item.Length && item[position] == '/')
        {
            position++;
            if (ReadStep(kind, item, ref position, out step) is { } stepError)
            {
                return stepError;
            }

            if (isSingleValue)
            {
                last = kind.Max;
            }
        }

        if (position < item.Length)
        {
            return $"{kind.Name} field '{item}' has unexpected '{item[position..]}' after '{item[..position]}'";
        }

        for (var value = first; value <= last; value += step)
        {
            bits |= 1UL << value;
        }

        return null;
    }

    private static string? ReadValue(CronFieldKind kind, string item, ref int position, out int value)
    {
        value = 0;
        var start = position;
        if (position == item.Length)
        {
            return $"{kind.Name} field '{item}' ends where a value was expected";
        }

        if (char.IsAsciiDigit(item[position]))
        {
            value = ReadDigits(item, ref position);
            var number = item[start..position];
            if (value < kind.Min || value > kind.Max)
            {
                var hint = kind == CronFieldKind.DayOfWeek && value == 7 ? " (Sunday is 0)" : "";
                return $"{kind.Name} field '{number}' is out of range {kind.Min}-{kind.Max}{hint}";
            }

            return null;
        }

        if (char.IsAsciiLetter(item[position]))
        {
            while (position < item.Length && char.IsAsciiLetter(item[position]))
            {
                position++;
            }

            var name = item[start..position];
            if (!kind.HasNames)
            {
                return $"{kind.Name} field '{name}' is not a number (expected {kind.ExpectedValues})";
            }

            return kind.TryGetNamedValue(name, out value)
                ? null
                : $"{kind.Name} field '{name}' is not a known {kind.Name} name (expected {kind.ExpectedValues})";
        }

        return $"{kind.Name} field '{item}' has '{item[position..]}' where a value was expected";
    }

    private static string? ReadStep(CronFieldKind kind, string item, ref int position, out int step)
    {
        step = 0;
        if (position == item.Length)
        {
            return $"{kind.Name} field '{item}' ends where a step was expected after '/'";
        }

        if (!char.IsAsciiDigit(item[position]))
        {
            return $"{kind.Name} field '{item}' has step '{item[position..]}', which is not a positive integer";
        }

        var start = position;
        step = ReadDigits(item, ref position);
        return step == 0
            ? $"{kind.Name} field '{item}' has step '{item[start..position]}', which is not a positive integer"
            : null;
    }

    // Saturates instead of overflowing: any number this large is out of range or, as a step, simply larger than the range.
    private static int ReadDigits(string item, ref int position)
    {
        var value = 0;
        while (position < item.Length && char.IsAsciiDigit(item[position]))
        {
            value = value >= LargeNumber / 10 ? LargeNumber : (value * 10) + (item[position] - '0');
            position++;
        }

        return value;
    }
}
