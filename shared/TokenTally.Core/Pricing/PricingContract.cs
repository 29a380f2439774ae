using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>What the pricer needs to know of a call.</summary>
/// <param name="Provider">Canonical provider id (openai, azure-openai, anthropic, google, mistral, meta, …).</param>
/// <param name="Model">The model as reported (alias or dated snapshot allowed); the catalog resolves it.</param>
/// <param name="Timestamp">When the call was made: the price in force then applies.</param>
/// <param name="Usage">Token counts in TokenTally's convention.</param>
/// <param name="ServiceTier">Standard, batch, priority or flex.</param>
/// <param name="AzureDeploymentType">For Azure OpenAI: global, data zone or regional.</param>
public readonly record struct PricingRequest(
    string Provider,
    string Model,
    DateTimeOffset Timestamp,
    TokenUsage Usage,
    ServiceTier ServiceTier = ServiceTier.Standard,
    AzureDeploymentType? AzureDeploymentType = null);

/// <summary>The cost of one call split by token class, in USD, with the price version that produced it.</summary>
/// <param name="CanonicalModel">The catalog model the call was priced as.</param>
/// <param name="PriceVersion">Identifies the exact price row used (model, effective date, tier, override), for the audit trail.</param>
/// <param name="Input">Cost of uncached prompt tokens.</param>
/// <param name="CachedInput">Cost of cache-read prompt tokens.</param>
/// <param name="CacheWrite">Cost of cache-write prompt tokens.</param>
/// <param name="Output">Cost of non-reasoning completion tokens.</param>
/// <param name="Reasoning">Cost of reasoning tokens.</param>
public sealed record CostBreakdown(
    string CanonicalModel,
    string PriceVersion,
    decimal Input,
    decimal CachedInput,
    decimal CacheWrite,
    decimal Output,
    decimal Reasoning)
{
    /// <summary>The sum of every token class.</summary>
    public decimal Total => Input + CachedInput + CacheWrite + Output + Reasoning;
}
