namespace TokenTally.Core.Calls;

/// <summary>
/// Reads a JSON number such as <c>1234.5</c> — at most 15 significant digits, no exponent — without the general
/// floating-point parser. Such a number is an integer below 2^53 divided by a power of ten at most 10^15, both exact in a
/// double, and one IEEE division of exact operands is correctly rounded: the same double the general parser gives.
/// </summary>
internal static class ShortDouble
{
    private const int MaxDigits = 15;

    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Reads <paramref name="number"/>, a token the JSON reader accepted as a number; false when it is not of the short form.</summary>
    public static bool TryRead(ReadOnlySpan<byte> number, out double value)
    {
        value = 0;
        var negative = number.Length > 0 && number[0] == (byte)'-';
        var mantissa = 0L;
        var digits = 0;
        var fractionDigits = -1;
        for (var i = negative ? 1 : 0; i < number.Length; i++)
        {
            var c = number[i];
            if (c == (byte)'.' && fractionDigits < 0)
            {
                fractionDigits = 0;
                continue;
            }

            if (!char.IsAsciiDigit((char)c) || ++digits > MaxDigits)
            {
                return false;
            }

            mantissa = (mantissa * 10) + (c - '0');
            if (fractionDigits >= 0)
            {
                fractionDigits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        var magnitude = mantissa / PowersOfTen[Math.Max(fractionDigits, 0)];
        value = negative ? -magnitude : magnitude;
        return true;
    }
}
