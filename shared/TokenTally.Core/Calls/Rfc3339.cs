namespace TokenTally.Core.Calls;

/// <summary>
/// A fast path for the one timestamp shape nearly every client sends, <c>yyyy-MM-ddTHH:mm:ss[.f…]Z</c>, read from UTF-8
/// bytes. It accepts a strict subset of what the parser's <c>DateTimeOffset.TryParseExact</c> formats accept and gives
/// the same value; anything else (offsets, a space separator, lower-case <c>z</c>, second 60, 8+ fraction digits) is
/// left to the general path.
/// </summary>
internal static class Rfc3339
{
    private const int ShortestLength = 20; // 2026-11-20T10:15:30Z
    private const int MaxFractionDigits = 7;

    public static bool TryParseUtc(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < ShortestLength || text[^1] != 'Z'
            || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || !TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        long fractionTicks = 0;
        var fraction = text[19..^1];
        if (!fraction.IsEmpty)
        {
            if (fraction[0] != '.' || fraction.Length - 1 is < 1 or > MaxFractionDigits || !TryDigits(fraction[1..], out var digits))
            {
                return false;
            }

            fractionTicks = digits;
            for (var i = fraction.Length - 1; i < MaxFractionDigits; i++)
            {
                fractionTicks *= 10;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks), TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            var digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }
}
