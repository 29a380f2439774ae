namespace TokenTally.Core.Pricing;

/// <summary>
/// How a service tier (batch, flex, priority) is priced for a model: either its own list prices or a multiplier of the
/// standard prices.
/// </summary>
public sealed class ServiceTierPrice
{
    private ServiceTierPrice(ModelPrice? prices, decimal? multiplier)
    {
        Prices = prices;
        Multiplier = multiplier;
    }

    /// <summary>The tier's own list prices, or <see langword="null"/> when it is priced by <see cref="Multiplier"/>.</summary>
    public ModelPrice? Prices { get; }

    /// <summary>The multiplier applied to the standard prices, or <see langword="null"/> when the tier has its own <see cref="Prices"/>.</summary>
    public decimal? Multiplier { get; }

    /// <summary>A tier with its own list prices.</summary>
    /// <param name="prices">The tier's prices.</param>
    /// <returns>The tier price.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="prices"/> is <see langword="null"/>.</exception>
    public static ServiceTierPrice FromPrices(ModelPrice prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        return new ServiceTierPrice(prices, null);
    }

    /// <summary>A tier priced as a multiple of the standard prices (0.5 for a 50% discount).</summary>
    /// <param name="multiplier">The multiplier, zero or more.</param>
    /// <returns>The tier price.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="multiplier"/> is negative.</exception>
    public static ServiceTierPrice FromMultiplier(decimal multiplier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(multiplier);
        return new ServiceTierPrice(null, multiplier);
    }

    /// <summary>The tier's prices, given the standard prices they may be derived from.</summary>
    /// <param name="standard">The standard prices of the same model, deployment and context tier.</param>
    /// <returns><see cref="Prices"/>, or <paramref name="standard"/> scaled by <see cref="Multiplier"/>.</returns>
    public ModelPrice ApplyTo(ModelPrice standard)
    {
        ArgumentNullException.ThrowIfNull(standard);
        return Prices ?? standard.Scale(Multiplier!.Value);
    }
}
