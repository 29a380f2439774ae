using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>The prices of a model from one effective date until the next period's.</summary>
public sealed class PricePeriod
{
    internal PricePeriod(DateOnly effectiveFrom, PriceSheet sheet, IReadOnlyDictionary<AzureDeploymentType, PriceSheet> deployments, string? note)
    {
        EffectiveFrom = effectiveFrom;
        Sheet = sheet;
        Deployments = deployments;
        Note = note;
    }

    /// <summary>The first day (UTC) these prices apply.</summary>
    public DateOnly EffectiveFrom { get; }

    /// <summary>The instant these prices start to apply: midnight UTC of <see cref="EffectiveFrom"/>.</summary>
    public DateTimeOffset EffectiveFromUtc => new(EffectiveFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The prices; for Azure OpenAI, those of the global (standard) deployment type.</summary>
    public PriceSheet Sheet { get; }

    /// <summary>
    /// Azure OpenAI only: prices of the data-zone and regional deployment types, where they differ from global.
    /// A deployment type missing here is priced as global. Empty for every other provider.
    /// </summary>
    public IReadOnlyDictionary<AzureDeploymentType, PriceSheet> Deployments { get; }

    /// <summary>Why this period exists (a price change, an alias that moved), or <see langword="null"/>.</summary>
    public string? Note { get; }
}
