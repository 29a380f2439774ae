using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using TokenTally.Application.Json;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;
using TokenTally.Application.Projects;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Pricing;

/// <summary>A tenant's price overrides as stored and edited: a discount, or full custom prices per canonical model (USD per 1M tokens).</summary>
public sealed record PriceOverridesDocument(decimal? DiscountPercent = null, Dictionary<string, PriceView>? Models = null);

/// <summary>Prices of one model in USD per 1M tokens; an absent class follows its fallback (cache → input, reasoning → output).</summary>
public sealed record PriceView(decimal Input, decimal Output, decimal? CachedInput = null, decimal? CacheWrite = null, decimal? Reasoning = null)
{
    public static PriceView Of(ModelPrice price) => new(price.Input, price.Output, price.CachedInput, price.CacheWrite, price.Reasoning);

    public ModelPrice ToModelPrice() => new(Input, Output, CachedInput, CacheWrite, Reasoning);
}

/// <summary>
/// Normalizes a call (provider alias, Azure deployment → model through the project's mapping,
/// dated snapshot → canonical model) and prices it with the catalog and the tenant's overrides.
/// </summary>
public sealed class CallPricer(IDocumentStore store, IMemoryCache cache)
{
    public const string OverridesId = "price-overrides";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly Pricer _pricer = new(PriceCatalog.Default);

    public PriceCatalog Catalog => _pricer.Catalog;

    public PricedCall Price(CallEvent call, Project project, TenantPriceOverrides? overrides)
    {
        var provider = Catalog.NormalizeProvider(call.Provider) ?? call.Provider.ToLowerInvariant();
        var model = call.Deployment is { } deployment && project.AzureDeployments.TryGetValue(deployment, out var mapped) ? mapped : call.Model;
        if (model is null)
        {
            return new PricedCall(provider, call.Deployment!, null,
                $"Azure deployment '{call.Deployment}' is not mapped to a model for project {project.Tenant}/{project.Name}; map it with PUT /api/v1/admin/projects/{project.Tenant}/{project.Name}/azure-deployments.",
                Catalog.Version);
        }

        // A priced call names its canonical model already; resolving the names again is only needed when it is unpriced.
        return _pricer.Price(new PricingRequest(provider, model, call.Timestamp, call.Usage, call.ServiceTier, call.DeploymentType), overrides) switch
        {
            PricingOutcome.Priced priced => new PricedCall(provider, priced.Cost.CanonicalModel, priced.Cost, null, Catalog.Version),
            PricingOutcome.Unpriced unpriced => new PricedCall(provider, Catalog.Resolve(provider, model)?.Id ?? model, null, unpriced.Detail, Catalog.Version),
            var other => throw new InvalidOperationException($"Unknown pricing outcome {other}."),
        };
    }

    public async Task<TenantPriceOverrides?> GetOverridesAsync(string tenant, CancellationToken cancellationToken) =>
        await cache.GetOrCreateAsync("overrides:" + tenant, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            var stored = await GetOverridesDocumentAsync(tenant, cancellationToken);
            return stored is null ? null : new TenantPriceOverrides(stored.DiscountPercent, (stored.Models ?? []).ToDictionary(m => m.Key, m => m.Value.ToModelPrice()));
        });

    public async Task<PriceOverridesDocument?> GetOverridesDocumentAsync(string tenant, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(DocumentContainer.Config, tenant, OverridesId, cancellationToken);
        return document?.As<PriceOverridesDocument>(TokenTallyJson.Options);
    }

    public async Task SetOverridesAsync(string tenant, PriceOverridesDocument overrides, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.SerializeToNode(overrides, TokenTallyJson.Options)!.AsObject();
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(tenant, OverridesId, data), WriteCondition.None, cancellationToken);
        cache.Remove("overrides:" + tenant);
    }
}
