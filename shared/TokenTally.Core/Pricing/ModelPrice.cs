namespace TokenTally.Core.Pricing;

/// <summary>
/// Prices of a model's token classes in USD per 1,000,000 tokens. A class without its own price is billed at a related
/// one: cache reads and cache writes at <see cref="Input"/>, reasoning at <see cref="Output"/>.
/// </summary>
public sealed record ModelPrice
{
    /// <summary>Creates a price; every price must be zero or more.</summary>
    /// <param name="input">USD per 1M uncached prompt tokens.</param>
    /// <param name="output">USD per 1M completion tokens that are not reasoning.</param>
    /// <param name="cachedInput">USD per 1M cache-read prompt tokens; <see langword="null"/> bills them at <paramref name="input"/>.</param>
    /// <param name="cacheWrite">USD per 1M cache-write prompt tokens; <see langword="null"/> bills them at <paramref name="input"/>.</param>
    /// <param name="reasoning">USD per 1M reasoning tokens; <see langword="null"/> bills them at <paramref name="output"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A price is negative.</exception>
    public ModelPrice(decimal input, decimal output, decimal? cachedInput = null, decimal? cacheWrite = null, decimal? reasoning = null)
    {
        Input = NotNegative(input, nameof(input));
        Output = NotNegative(output, nameof(output));
        CachedInput = cachedInput is { } cached ? NotNegative(cached, nameof(cachedInput)) : null;
        CacheWrite = cacheWrite is { } write ? NotNegative(write, nameof(cacheWrite)) : null;
        Reasoning = reasoning is { } thinking ? NotNegative(thinking, nameof(reasoning)) : null;
    }

    /// <summary>USD per 1M uncached prompt tokens.</summary>
    public decimal Input { get; }

    /// <summary>USD per 1M completion tokens that are not reasoning.</summary>
    public decimal Output { get; }

    /// <summary>USD per 1M cache-read prompt tokens, or <see langword="null"/> when they cost <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; }

    /// <summary>USD per 1M cache-write prompt tokens, or <see langword="null"/> when they cost <see cref="Input"/>.</summary>
    public decimal? CacheWrite { get; }

    /// <summary>USD per 1M reasoning tokens, or <see langword="null"/> when they cost <see cref="Output"/>.</summary>
    public decimal? Reasoning { get; }

    /// <summary>The price applied to cache reads: <see cref="CachedInput"/>, else <see cref="Input"/>.</summary>
    public decimal EffectiveCachedInput => CachedInput ?? Input;

    /// <summary>The price applied to cache writes: <see cref="CacheWrite"/>, else <see cref="Input"/>.</summary>
    public decimal EffectiveCacheWrite => CacheWrite ?? Input;

    /// <summary>The price applied to reasoning tokens: <see cref="Reasoning"/>, else <see cref="Output"/>.</summary>
    public decimal EffectiveReasoning => Reasoning ?? Output;

    /// <summary>Multiplies every price by <paramref name="factor"/>, exactly; absent prices stay absent (and so keep following their fallback).</summary>
    /// <param name="factor">The multiplier, zero or more (0.5 halves every price).</param>
    /// <returns>The scaled price.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is negative.</exception>
    public ModelPrice Scale(decimal factor)
    {
        NotNegative(factor, nameof(factor));
        return new ModelPrice(Input * factor, Output * factor, CachedInput * factor, CacheWrite * factor, Reasoning * factor);
    }

    private static decimal NotNegative(decimal value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, "A price must be zero or more.");
}
