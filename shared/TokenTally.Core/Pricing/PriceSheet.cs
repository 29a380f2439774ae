using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>A complete set of prices for one model in one period (and, for Azure OpenAI, one deployment type).</summary>
public sealed class PriceSheet
{
    internal PriceSheet(ModelPrice prices, IReadOnlyList<ContextTier> contextTiers, IReadOnlyDictionary<ServiceTier, ServiceTierPrice> serviceTiers)
    {
        Prices = prices;
        ContextTiers = contextTiers;
        ServiceTiers = serviceTiers;
    }

    /// <summary>The standard prices.</summary>
    public ModelPrice Prices { get; }

    /// <summary>Long-context tiers, ordered by ascending threshold; empty when the model has none.</summary>
    public IReadOnlyList<ContextTier> ContextTiers { get; }

    /// <summary>Explicit batch, flex and priority prices; a tier missing here is priced by the <see cref="Pricer"/>'s defaults.</summary>
    public IReadOnlyDictionary<ServiceTier, ServiceTierPrice> ServiceTiers { get; }

    /// <summary>The context tier a prompt of <paramref name="inputTokens"/> tokens falls in: the highest threshold strictly below it.</summary>
    /// <param name="inputTokens">Every prompt token of the call, cache reads and writes included.</param>
    /// <returns>The tier, or <see langword="null"/> for the standard prices.</returns>
    public ContextTier? ContextTierFor(long inputTokens)
    {
        // By index: foreach over the interface would allocate an enumerator for every call priced.
        ContextTier? chosen = null;
        for (var i = 0; i < ContextTiers.Count; i++)
        {
            if (inputTokens > ContextTiers[i].AboveInputTokens)
            {
                chosen = ContextTiers[i];
            }
        }

        return chosen;
    }
}
