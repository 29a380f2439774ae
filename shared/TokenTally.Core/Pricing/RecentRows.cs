using System.Runtime.CompilerServices;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>
/// The row last chosen for a (provider, model) pair, found by the identity of the name strings rather than their text: the
/// calls of a batch name a few models, by the very same string instances (the parser's cache hands them out), so a hit
/// costs a few comparisons instead of hashing two names and a row key. An entry holds everything that chose its row — the
/// names, the period's dates, the context tier's token range, the service tier, the deployment type and the discount — so
/// a hit is the row the full path would choose. Safe between threads: each slot holds one immutable entry, replaced whole.
/// </summary>
internal sealed class RecentRows
{
    private const int Slots = 256;

    private readonly Entry?[] _slots = new Entry?[Slots];

    /// <summary>The row remembered for exactly this request and discount, if any.</summary>
    public Entry? Find(in PricingRequest request, decimal? discount)
    {
        var entry = Volatile.Read(ref _slots[SlotOf(request.Provider, request.Model, request.ServiceTier, request.AzureDeploymentType)]);
        return entry is not null
            && ReferenceEquals(entry.Provider, request.Provider)
            && ReferenceEquals(entry.ModelName, request.Model)
            && entry.ServiceTier == request.ServiceTier
            && entry.DeploymentType == request.AzureDeploymentType
            && entry.Discount.Equals(discount)
            && request.Timestamp >= entry.PeriodFrom && request.Timestamp < entry.PeriodUntil
            && request.Usage.Input > entry.InputAbove && request.Usage.Input <= entry.InputUpTo
            ? entry
            : null;
    }

    /// <summary>Remembers the row chosen for a request, replacing whatever shared its slot.</summary>
    public void Remember(in PricingRequest request, decimal? discount, CatalogModel model, PricePeriod period, PriceSheet sheet, ContextTier? contextTier, string version, ModelPrice price)
    {
        var periods = model.Periods;
        var next = IndexOf(periods, period) + 1;
        var tiers = sheet.ContextTiers;
        var tierIndex = contextTier is null ? -1 : IndexOf(tiers, contextTier);
        var entry = new Entry(
            request.Provider,
            request.Model,
            request.ServiceTier,
            request.AzureDeploymentType,
            discount,
            period.EffectiveFromUtc,
            next < periods.Count ? periods[next].EffectiveFromUtc : DateTimeOffset.MaxValue,
            contextTier?.AboveInputTokens ?? long.MinValue,
            tierIndex + 1 < tiers.Count ? tiers[tierIndex + 1].AboveInputTokens : long.MaxValue,
            model,
            version,
            price);
        Volatile.Write(ref _slots[SlotOf(request.Provider, request.Model, request.ServiceTier, request.AzureDeploymentType)], entry);
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, T item)
        where T : class
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (ReferenceEquals(items[i], item))
            {
                return i;
            }
        }

        throw new InvalidOperationException("The row's period or context tier is not its model's.");
    }

    private static int SlotOf(string provider, string model, ServiceTier serviceTier, AzureDeploymentType? deploymentType)
    {
        var hash = (RuntimeHelpers.GetHashCode(provider) * 31) ^ RuntimeHelpers.GetHashCode(model);
        hash = (hash * 31) ^ ((int)serviceTier << 3) ^ (deploymentType is { } type ? (int)type + 1 : 0);
        return hash & (Slots - 1);
    }

    /// <summary>One remembered row and what chose it; a period runs to the next one's start, a tier to the next one's threshold.</summary>
    internal sealed record Entry(
        string Provider,
        string ModelName,
        ServiceTier ServiceTier,
        AzureDeploymentType? DeploymentType,
        decimal? Discount,
        DateTimeOffset PeriodFrom,
        DateTimeOffset PeriodUntil,
        long InputAbove,
        long InputUpTo,
        CatalogModel Model,
        string Version,
        ModelPrice Price);
}
