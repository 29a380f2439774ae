namespace TokenTally.Core.Pricing;

/// <summary>The cost of a token count at a price per 1M tokens: exactly <c>tokens × price ÷ 1,000,000</c>, digits and scale included.</summary>
internal static class PerMillion
{
    private const decimal TokensPerPriceUnit = 1_000_000m;
    private const ulong Million = 1_000_000;
    private const int MillionDigits = 6;
    private const int MaxScale = 28;

    /// <summary>
    /// Decimal division is slow, and this one has a known answer: the product over a million at the product's scale when
    /// the million divides it, else the product at six more digits of scale with its trailing zeros dropped (the smallest
    /// exact scale, which is what division gives).
    /// </summary>
    public static decimal Cost(long tokens, decimal pricePerMillion)
    {
        if (tokens == 0)
        {
            // 0 × price has exactly the scale the division would give (the price's).
            return decimal.Zero * pricePerMillion;
        }

        // A price below 2^32 units at its scale and a count below 2^32 multiply as integers; the decimal product has the
        // same digits at the price's scale. Anything larger takes the decimal operators.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(pricePerMillion, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (bits[1] != 0 || bits[2] != 0 || bits[3] < 0 || (ulong)tokens > uint.MaxValue || scale > MaxScale - MillionDigits)
        {
            return tokens * pricePerMillion / TokensPerPriceUnit;
        }

        var digits = (ulong)tokens * (uint)bits[0];
        if (digits % Million == 0)
        {
            return Exact(digits / Million, scale);
        }

        scale += MillionDigits;
        while (digits % 10 == 0)
        {
            digits /= 10;
            scale--;
        }

        return Exact(digits, scale);
    }

    private static decimal Exact(ulong digits, int scale) => new((int)digits, (int)(digits >> 32), 0, isNegative: false, (byte)scale);
}
