namespace TokenTally.Core.Pricing;

/// <summary>The result of pricing one call: <see cref="Priced"/> with its cost, or <see cref="Unpriced"/> with the reason.</summary>
public abstract record PricingOutcome
{
    private PricingOutcome()
    {
    }

    /// <summary>Whether the call was priced.</summary>
    public bool IsPriced => this is Priced;

    /// <summary>The call was priced.</summary>
    /// <param name="Cost">The cost by token class and the price version that produced it.</param>
    public sealed record Priced(CostBreakdown Cost) : PricingOutcome;

    /// <summary>The call could not be priced; it should be kept and reported, not billed at zero.</summary>
    /// <param name="Reason">Why, as a category.</param>
    /// <param name="Detail">Why, for people: names the provider, model and date involved.</param>
    public sealed record Unpriced(UnpricedReason Reason, string Detail) : PricingOutcome;
}

/// <summary>Why a call could not be priced.</summary>
public enum UnpricedReason
{
    /// <summary>The catalog does not know the provider.</summary>
    UnknownProvider,

    /// <summary>The catalog does not know the model for that provider.</summary>
    UnknownModel,

    /// <summary>The model is known but has no price in force at the call's timestamp (the call predates its first price).</summary>
    NoPriceInForce,

    /// <summary>The token counts are inconsistent: negative, cache reads and writes above input, or reasoning above output.</summary>
    InvalidUsage,
}
