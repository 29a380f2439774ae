using Microsoft.AspNetCore.Http.HttpResults;
using TokenTally.Application.Projects;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Calls;

/// <summary>One token class of a call's cost: how many tokens, at what price, for how much.</summary>
public sealed record CostLine(string TokenClass, long Tokens, decimal? UsdPerMillion, decimal CostUsd);

public sealed record CostView(decimal TotalUsd, string PriceVersion, string CatalogVersion, IReadOnlyList<CostLine> Lines);

/// <summary>A stored call as the API shows it, answering "why did this call cost that much?".</summary>
public sealed record CallView(
    CallEvent Call,
    string CanonicalProvider,
    string CanonicalModel,
    bool Unpriced,
    string? UnpricedReason,
    CostView? Cost,
    decimal? ClientCostUsd,
    decimal? ClientCostDifferenceUsd,
    DateTimeOffset ReceivedAt);

public static class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/calls/{id}", GetCallAsync)
            .WithName("GetCall")
            .WithSummary("One stored call with its cost broken down by token class and the price version used.")
            .WithTags("Calls")
            .RequireAuthorization(Policies.Read);
        return app;
    }

    public static async Task<Results<Ok<CallView>, ProblemHttpResult>> GetCallAsync(string id, Caller caller, CallRecordStore calls, CancellationToken cancellationToken)
    {
        var stored = await calls.GetAsync(caller.RequiredTenant, id, cancellationToken);

        // A call of another project is answered as missing, so a project-scoped key learns nothing about other projects.
        if (stored is null || !caller.CanRead(stored.Event.Project))
        {
            return TypedResults.Problem(title: "Not found", detail: $"No call '{id}' that this key may read (calls expire after the retention period).", statusCode: StatusCodes.Status404NotFound);
        }

        return TypedResults.Ok(ToView(stored));
    }

    public static CallView ToView(StoredCall stored)
    {
        var usage = stored.Event.Usage;
        var pricing = stored.Pricing;
        CostView? cost = null;
        if (pricing.Cost is { } c)
        {
            cost = new CostView(c.Total, c.PriceVersion, pricing.CatalogVersion,
            [
                Line("input", usage.UncachedInput, c.Input),
                Line("cachedInput", usage.CachedInput, c.CachedInput),
                Line("cacheWrite", usage.CacheWrite, c.CacheWrite),
                Line("output", usage.VisibleOutput, c.Output),
                Line("reasoning", usage.Reasoning, c.Reasoning),
            ]);
        }

        return new CallView(stored.Event, pricing.Provider, pricing.Model, pricing.Unpriced, pricing.UnpricedReason, cost,
            stored.Event.ClientCostUsd, cost is not null && stored.Event.ClientCostUsd is { } client ? client - cost.TotalUsd : null, stored.ReceivedAt);
    }

    private static CostLine Line(string tokenClass, long tokens, decimal costUsd) =>
        new(tokenClass, tokens, tokens == 0 ? null : costUsd * 1_000_000m / tokens, costUsd);
}
