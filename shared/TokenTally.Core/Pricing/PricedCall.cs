namespace TokenTally.Core.Pricing;

/// <summary>How a call was normalized and priced.</summary>
/// <param name="Provider">The canonical provider.</param>
/// <param name="Model">The canonical model, or the model as sent when the catalog does not know it.</param>
/// <param name="Cost">The cost breakdown; null when unpriced.</param>
/// <param name="UnpricedReason">Why there is no cost.</param>
/// <param name="CatalogVersion">The catalog version in force at pricing time.</param>
public sealed record PricedCall(string Provider, string Model, CostBreakdown? Cost, string? UnpricedReason, string CatalogVersion)
{
    /// <summary>Whether the call could not be priced.</summary>
    public bool Unpriced => Cost is null;
}
