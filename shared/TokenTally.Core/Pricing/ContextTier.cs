using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>
/// Long-context prices: when a call's prompt (<see cref="TokenUsage.Input"/>, cache reads and writes included) is
/// strictly above <see cref="AboveInputTokens"/>, the whole call is billed at these prices, not only the tokens past
/// the threshold. That is how Anthropic, Google and OpenAI bill their long-context tiers.
/// </summary>
public sealed class ContextTier
{
    internal ContextTier(long aboveInputTokens, ModelPrice prices, IReadOnlyDictionary<ServiceTier, ServiceTierPrice> serviceTiers)
    {
        AboveInputTokens = aboveInputTokens;
        Prices = prices;
        ServiceTiers = serviceTiers;
    }

    /// <summary>The threshold: the tier applies to prompts of more than this many tokens (a prompt of exactly this size does not qualify).</summary>
    public long AboveInputTokens { get; }

    /// <summary>The standard prices of the tier.</summary>
    public ModelPrice Prices { get; }

    /// <summary>
    /// Service-tier prices that hold inside this context tier: its own (for example priority above 200k) plus the
    /// sheet's multiplier-based ones (a rule such as "batch is half price" holds at every context size). The sheet's
    /// explicit service-tier prices do not carry over.
    /// </summary>
    public IReadOnlyDictionary<ServiceTier, ServiceTierPrice> ServiceTiers { get; }
}
