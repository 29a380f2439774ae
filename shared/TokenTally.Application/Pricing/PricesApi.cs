using Microsoft.AspNetCore.Http.HttpResults;
using TokenTally.Application.Projects;
using TokenTally.Core.Calls;
using TokenTally.Core.Pricing;

namespace TokenTally.Application.Pricing;

public sealed record TierView(decimal? Multiplier, PriceView? Prices);

public sealed record ContextTierView(long AboveInputTokens, PriceView Prices);

public sealed record PeriodView(DateOnly EffectiveFrom, PriceView Prices, IReadOnlyList<ContextTierView> ContextTiers, IReadOnlyDictionary<string, TierView> ServiceTiers, IReadOnlyDictionary<string, PriceView> AzureDeploymentTypes, string? Note);

public sealed record ModelView(string Provider, string Id, string Operation, IReadOnlyList<string> Aliases, IReadOnlyList<PeriodView> Periods, string Source);

public sealed record CatalogView(string Version, string Currency, string Unit, int ModelCount, IReadOnlyList<ModelView> Models, PriceOverridesDocument? TenantOverrides);

/// <summary>The price catalog, a tenant's overrides, and what could not be priced.</summary>
public static class PricesApi
{
    public static IEndpointRouteBuilder MapPricesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/prices", GetPrices)
            .WithName("GetPrices").WithSummary("The price catalog (USD per 1M tokens, with effective dates and tiers); with a read:tenant key, also the tenant's overrides.")
            .WithTags("Pricing").RequireAuthorization(Policies.AnyKey);
        app.MapGet("/api/v1/prices/unpriced", GetUnpricedAsync)
            .WithName("GetUnpriced").WithSummary("Today's calls (UTC) of the caller's tenant that could not be priced, by model.")
            .WithTags("Pricing").RequireAuthorization(Policies.ReadTenant);
        var admin = app.MapGroup("/api/v1/admin/tenants/{tenant}/price-overrides").WithTags("Admin").RequireAuthorization(Policies.Admin);
        admin.MapGet("/", GetOverridesAsync).WithName("GetPriceOverrides");
        admin.MapPut("/", SetOverridesAsync).WithName("SetPriceOverrides")
            .WithSummary("Sets a tenant's discount percentage and/or custom per-model prices; applies to calls ingested from now on.");
        return app;
    }

    public static async Task<Ok<CatalogView>> GetPrices(Caller caller, CallPricer pricer, CancellationToken cancellationToken)
    {
        var overrides = caller.Tenant is { } tenant && caller.Scopes.HasFlag(KeyScopes.ReadTenant) ? await pricer.GetOverridesDocumentAsync(tenant, cancellationToken) : null;
        var catalog = pricer.Catalog;
        var models = catalog.Models.Select(m => new ModelView(m.Provider, m.Id, m.Operation.ToString().ToLowerInvariant(), m.Aliases, m.Periods.Select(ToView).ToList(), m.Source)).ToList();
        return TypedResults.Ok(new CatalogView(catalog.Version, "USD", "per 1M tokens", models.Count, models, overrides));
    }

    public static async Task<Ok<UnpricedSummary>> GetUnpricedAsync(Caller caller, UnpricedCounter counter, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Ok(await counter.GetAsync(caller.RequiredTenant, time.GetUtcNow(), cancellationToken));

    public static async Task<Results<Ok<PriceOverridesDocument>, ProblemHttpResult>> GetOverridesAsync(string tenant, CallPricer pricer, CancellationToken cancellationToken) =>
        await pricer.GetOverridesDocumentAsync(tenant, cancellationToken) is { } overrides
            ? TypedResults.Ok(overrides)
            : TypedResults.Problem(title: "Not found", detail: $"Tenant {tenant} has no price overrides.", statusCode: StatusCodes.Status404NotFound);

    public static async Task<Results<Ok<PriceOverridesDocument>, ValidationProblem>> SetOverridesAsync(
        string tenant, PriceOverridesDocument overrides, CallPricer pricer, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ProjectStore.IsValidName(tenant))
        {
            errors["tenant"] = ["tenant must be 2-63 lower-case letters, digits or dashes."];
        }

        if (overrides.DiscountPercent is < 0 or > 100)
        {
            errors["discountPercent"] = ["discountPercent must be 0-100."];
        }

        foreach (var (model, price) in overrides.Models ?? [])
        {
            if (pricer.Catalog.Models.All(m => !string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase)))
            {
                errors[$"models.{model}"] = [$"'{model}' is not a canonical catalog model id; see GET /api/v1/prices."];
            }
            else if (new[] { price.Input, price.Output, price.CachedInput ?? 0, price.CacheWrite ?? 0, price.Reasoning ?? 0 }.Any(p => p < 0))
            {
                errors[$"models.{model}"] = ["Prices cannot be negative."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await pricer.SetOverridesAsync(tenant, overrides, cancellationToken);
        return TypedResults.Ok(overrides);
    }

    private static PeriodView ToView(PricePeriod period) => new(
        period.EffectiveFrom,
        PriceView.Of(period.Sheet.Prices),
        period.Sheet.ContextTiers.Select(t => new ContextTierView(t.AboveInputTokens, PriceView.Of(t.Prices))).ToList(),
        period.Sheet.ServiceTiers.ToDictionary(t => t.Key.ToString().ToLowerInvariant(), t => new TierView(t.Value.Multiplier, t.Value.Prices is { } p ? PriceView.Of(p) : null)),
        period.Deployments.ToDictionary(d => d.Key switch { AzureDeploymentType.DataZone => "data-zone", var k => k.ToString().ToLowerInvariant() }, d => PriceView.Of(d.Value.Prices)),
        period.Note);
}
