using System.Collections.Concurrent;
using System.Globalization;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>Prices calls against a <see cref="PriceCatalog"/>. Thread-safe; it remembers the price rows it has chosen, nothing else.</summary>
/// <remarks>
/// <para><b>Token classes.</b> With <see cref="TokenUsage"/>'s convention (input includes cache reads and writes, output includes reasoning):</para>
/// <list type="bullet">
/// <item>uncached input = Input − CachedInput − CacheWrite, at the input price;</item>
/// <item>cache reads at the cached-input price, else the input price;</item>
/// <item>cache writes at the cache-write price, else the input price;</item>
/// <item>visible output = Output − Reasoning, at the output price;</item>
/// <item>reasoning at the reasoning price, else the output price.</item>
/// </list>
/// <para>
/// <b>Exact money.</b> Each class costs tokens × price per 1M ÷ 1,000,000 in <see cref="decimal"/>, with no rounding:
/// round only for display. A call's total is the exact sum of its classes.
/// </para>
/// <para><b>Which price.</b> In order:</para>
/// <list type="number">
/// <item>the period in force at the call's timestamp (the last whose effective date, midnight UTC, is not after it);</item>
/// <item>
/// for Azure OpenAI, the deployment type's prices (global when the request names none); a type the catalog has no row
/// for is priced as global and marked <c>/data-zone-as-global</c> or <c>/regional-as-global</c>;
/// </item>
/// <item>
/// the long-context tier: when the prompt (Input) is strictly above a tier's threshold the whole call is billed at the
/// tier's prices (exactly at the threshold is not above);
/// </item>
/// <item>
/// the service tier: the catalog's batch, flex or priority price for the chosen context tier when it has one (its own
/// prices, or a multiplier of the standard prices; a multiplier also holds in the long-context tiers). Otherwise batch and flex are 50% of standard (marked <c>/batch-derived-50%</c>, <c>/flex-derived-50%</c>),
/// and priority is billed at standard and marked <c>/priority-unpriced-as-standard</c>: a provider serves such a
/// request at its default tier, and we prefer a flagged, known price to dropping the call as unpriced.
/// </item>
/// </list>
/// <para>
/// <b>Tenant overrides.</b> A custom price for the model replaces all of the above (every period, context size, service
/// tier and deployment type), marked <c>+custom</c>; otherwise a discount scales every class, marked
/// <c>+override:discount-15%</c>.
/// </para>
/// <para>
/// <b>Price version.</b> <see cref="CostBreakdown.PriceVersion"/> names the exact row:
/// <c>catalog:{version}/{provider}/{model}@{effectiveFrom}[/{deployment}][/above-{N}k]/{service tier}[+override]</c>,
/// for example <c>catalog:2026-07-18/openai/gpt-4o@2024-10-02/standard</c> or
/// <c>catalog:2026-07-18/azure-openai/gpt-4o@2024-08-06/data-zone/batch-derived-50%+override:discount-15%</c>; a
/// custom price is <c>catalog:{version}/{provider}/{model}+custom</c>.
/// </para>
/// </remarks>
/// <param name="catalog">The catalog to price against, usually <see cref="PriceCatalog.Default"/>.</param>
public sealed class Pricer(PriceCatalog catalog)
{
    private const decimal DerivedDiscountFactor = 0.5m;

    /// <summary>Rows are few (model × period × deployment × context tier × service tier × discount); the bound only guards odd discounts.</summary>
    private const int MaxRememberedRows = 10_000;

    private readonly PriceCatalog _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));

    // The price and price version of each row chosen so far: choosing one builds several strings, and calls repeat rows.
    private readonly ConcurrentDictionary<RowKey, PriceRow> _rows = new();

    private readonly RecentRows _recent = new();

    /// <summary>The catalog this pricer uses.</summary>
    public PriceCatalog Catalog => _catalog;

    /// <summary>Prices one call.</summary>
    /// <param name="request">The call: provider, model, timestamp, token counts, service tier and Azure deployment type.</param>
    /// <param name="overrides">The tenant's custom prices and discount, or <see langword="null"/> for list prices.</param>
    /// <returns>
    /// <see cref="PricingOutcome.Priced"/> with the exact cost, or <see cref="PricingOutcome.Unpriced"/> when the provider
    /// or model is unknown, no price was in force at the timestamp, or the token counts are inconsistent.
    /// </returns>
    /// <exception cref="ArgumentNullException">The request's usage is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The request's service tier or deployment type is not a defined value.</exception>
    public PricingOutcome Price(in PricingRequest request, TenantPriceOverrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(request.Usage, nameof(request));
        if (!Enum.IsDefined(request.ServiceTier))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.ServiceTier, "Unknown service tier.");
        }

        if (request.AzureDeploymentType is { } requested && !Enum.IsDefined(requested))
        {
            throw new ArgumentOutOfRangeException(nameof(request), requested, "Unknown Azure deployment type.");
        }

        if (UsageProblem(request.Usage) is { } problem)
        {
            return new PricingOutcome.Unpriced(UnpricedReason.InvalidUsage, problem);
        }

        var discount = overrides?.DiscountPercent is { } percent and > 0 ? percent : (decimal?)null;
        if (_recent.Find(request, discount) is { } recent && overrides?.CustomPriceFor(recent.Model) is null)
        {
            return Priced(recent.Model, recent.Version, request.Usage, recent.Price);
        }

        // Resolve finds nothing for an unknown provider too; which of the two is unknown is only asked when it fails.
        if (_catalog.Resolve(request.Provider, request.Model) is not { } model)
        {
            return _catalog.NormalizeProvider(request.Provider) is null
                ? new PricingOutcome.Unpriced(UnpricedReason.UnknownProvider, $"Provider '{request.Provider}' is not in price catalog {_catalog.Version}.")
                : new PricingOutcome.Unpriced(
                    UnpricedReason.UnknownModel, $"Model '{request.Model}' of provider '{request.Provider}' is not in price catalog {_catalog.Version}.");
        }

        if (overrides?.CustomPriceFor(model) is { } custom)
        {
            return Priced(model, $"catalog:{_catalog.Version}/{model.Key}+custom", request.Usage, custom);
        }

        if (model.PeriodAt(request.Timestamp) is not { } period)
        {
            return new PricingOutcome.Unpriced(
                UnpricedReason.NoPriceInForce,
                $"Model '{model.Key}' has no price before {Day(model.Periods[0].EffectiveFrom)}; the call was made at {request.Timestamp:O}.");
        }

        var (sheet, deploymentLabel) = SheetFor(model, period, request.AzureDeploymentType);
        var contextTier = sheet.ContextTierFor(request.Usage.Input);
        var key = new RowKey(model, period, request.AzureDeploymentType, contextTier, request.ServiceTier, discount);
        if (!_rows.TryGetValue(key, out var row))
        {
            row = ChooseRow(model, period, sheet, deploymentLabel, contextTier, request.ServiceTier, discount);
            if (_rows.Count < MaxRememberedRows)
            {
                _rows.TryAdd(key, row);
            }
        }

        _recent.Remember(request, discount, model, period, sheet, contextTier, row.Version, row.Price);
        return Priced(model, row.Version, request.Usage, row.Price);
    }

    private PriceRow ChooseRow(CatalogModel model, PricePeriod period, PriceSheet sheet, string deploymentLabel, ContextTier? contextTier, ServiceTier serviceTier, decimal? discount)
    {
        var version = $"catalog:{_catalog.Version}/{model.Key}@{Day(period.EffectiveFrom)}{deploymentLabel}";
        var standard = sheet.Prices;
        var serviceTiers = sheet.ServiceTiers;
        if (contextTier is not null)
        {
            standard = contextTier.Prices;
            serviceTiers = contextTier.ServiceTiers;
            version += $"/above-{Threshold(contextTier.AboveInputTokens)}";
        }

        var (price, serviceLabel) = ApplyServiceTier(serviceTier, standard, serviceTiers);
        version += $"/{serviceLabel}";

        if (discount is { } percent)
        {
            price = price.Scale((100m - percent) / 100m);
            version += $"+override:discount-{percent.ToString("0.############################", CultureInfo.InvariantCulture)}%";
        }

        return new PriceRow(price, version);
    }

    private static string? UsageProblem(TokenUsage usage)
    {
        if (usage.Input < 0 || usage.Output < 0 || usage.CachedInput < 0 || usage.CacheWrite < 0 || usage.Reasoning < 0)
        {
            return $"Token counts must not be negative: {usage}.";
        }

        if (usage.CachedInput > usage.Input - usage.CacheWrite)
        {
            return $"Cache reads ({usage.CachedInput}) and writes ({usage.CacheWrite}) exceed the input tokens ({usage.Input}), which include them.";
        }

        return usage.Reasoning > usage.Output
            ? $"Reasoning tokens ({usage.Reasoning}) exceed the output tokens ({usage.Output}), which include them."
            : null;
    }

    private static (PriceSheet Sheet, string Label) SheetFor(CatalogModel model, PricePeriod period, AzureDeploymentType? requested)
    {
        if (model.Provider != PriceCatalog.AzureOpenAiProvider)
        {
            return (period.Sheet, string.Empty);
        }

        var type = requested ?? AzureDeploymentType.Global;
        if (type == AzureDeploymentType.Global)
        {
            return (period.Sheet, "/global");
        }

        var dataZone = type == AzureDeploymentType.DataZone;
        return period.Deployments.TryGetValue(type, out var sheet)
            ? (sheet, dataZone ? "/data-zone" : "/regional")
            : (period.Sheet, dataZone ? "/data-zone-as-global" : "/regional-as-global");
    }

    private static (ModelPrice Price, string Label) ApplyServiceTier(
        ServiceTier tier,
        ModelPrice standard,
        IReadOnlyDictionary<ServiceTier, ServiceTierPrice> explicitTiers)
    {
        if (tier == ServiceTier.Standard)
        {
            return (standard, "standard");
        }

        var name = tier.ToString().ToLowerInvariant();
        if (explicitTiers.TryGetValue(tier, out var tierPrice))
        {
            return (tierPrice.ApplyTo(standard), name);
        }

        return tier == ServiceTier.Priority
            ? (standard, "priority-unpriced-as-standard")
            : (standard.Scale(DerivedDiscountFactor), $"{name}-derived-50%");
    }

    private static PricingOutcome.Priced Priced(CatalogModel model, string version, TokenUsage usage, ModelPrice price) =>
        new(new CostBreakdown(
            model.Id,
            version,
            Input: PerMillion.Cost(usage.UncachedInput, price.Input),
            CachedInput: PerMillion.Cost(usage.CachedInput, price.EffectiveCachedInput),
            CacheWrite: PerMillion.Cost(usage.CacheWrite, price.EffectiveCacheWrite),
            Output: PerMillion.Cost(usage.VisibleOutput, price.Output),
            Reasoning: PerMillion.Cost(usage.Reasoning, price.EffectiveReasoning)));

    // Invariant: a culture with another calendar (th-TH counts Buddhist years) must not change a price version.
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private readonly record struct RowKey(CatalogModel Model, PricePeriod Period, AzureDeploymentType? Deployment, ContextTier? ContextTier, ServiceTier ServiceTier, decimal? Discount);

    private sealed record PriceRow(ModelPrice Price, string Version);

    private static string Threshold(long tokens) =>
        tokens % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{tokens / 1000}k")
            : tokens.ToString(CultureInfo.InvariantCulture);
}
