using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using TokenTally.Application.Projects;
using TokenTally.Core.Budgets;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Budgets.Status;

/// <summary>
/// Whether a scope may still spend: every budget covering it, with spend so far, what is left and the projection.
/// <see cref="RemainingUsd"/> is the least left under any of them (absent when no budget applies).
/// </summary>
public sealed record BudgetStatusView(
    string Tenant,
    IReadOnlyDictionary<string, string> Scope,
    bool WithinBudget,
    bool ProjectedWithinBudget,
    decimal? RemainingUsd,
    DateTimeOffset AsOf,
    IReadOnlyList<BudgetStandingView> Budgets);

/// <summary>One applicable budget in the period under way. <c>state</c>: ok, warning (a threshold below 100 % crossed) or exceeded.</summary>
public sealed record BudgetStandingView(
    string Id,
    string Name,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Scope,
    PeriodWindowView Period,
    decimal AmountUsd,
    decimal SpentUsd,
    decimal RemainingUsd,
    decimal PercentUsed,
    string State,
    IReadOnlyList<decimal> CrossedThresholds,
    ProjectionView Projection);

/// <summary>The projected spend at the period's end; <c>method</c> says how it was projected (<c>run-rate</c> or <c>forecast</c>, which adds an interval).</summary>
public sealed record ProjectionView(decimal SpendUsd, string Method, decimal? LowUsd, decimal? HighUsd, bool ExceedsAmount);

/// <summary>The status query: the scope to check, one value per dimension, and the tenant for the admin key.</summary>
public sealed record BudgetStatusQuery(
    [property: FromQuery(Name = "tenant")] string? Tenant,
    [property: FromQuery(Name = "project")] string? Project,
    [property: FromQuery(Name = "service")] string? Service,
    [property: FromQuery(Name = "environment")] string? Environment,
    [property: FromQuery(Name = "provider")] string? Provider,
    [property: FromQuery(Name = "model")] string? Model,
    [property: FromQuery(Name = "department")] string? Department,
    [property: FromQuery(Name = "user")] string? User);

public static class BudgetStatusApi
{
    private const int MaxValueLength = 256;

    public static IEndpointRouteBuilder MapBudgetStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/budgets/status", GetAsync).WithTags("Budgets").WithName("GetBudgetStatus").RequireAuthorization(Policies.AnyKey)
            .WithSummary("Whether a scope may still spend (a cost circuit breaker): ?project=support-bot&model=gpt-4o. Any key; ingest and read:project keys check their own project. Answers are at most TokenTally:Budgets:Status:MaxAgeSeconds old.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<BudgetStatusView>, ProblemHttpResult>> GetAsync(
        [AsParameters] BudgetStatusQuery query, HttpRequest request, HttpResponse response, Caller caller, ProjectStore projects, BudgetStatusService status,
        IOptions<BudgetStatusOptions> options, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(query.Tenant, request, caller, projects, "budgets", cancellationToken, [.. BudgetScope.Dimensions.Keys]);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>();
        var scope = new Dictionary<Dimension, string>();
        foreach (var (name, dimension) in BudgetScope.Dimensions)
        {
            var values = request.Query[name];
            if (values.Count > 1 || (values.Count == 1 && (string.IsNullOrEmpty(values[0]) || values[0]!.Length > MaxValueLength)))
            {
                errors[name] = [$"{name} takes one value of 1-{MaxValueLength} characters."];
            }
            else if (values.Count == 1)
            {
                scope[dimension] = values[0]!;
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest });
        }

        // Keys confined to a project (ingest, read:project) check their own project's spend, and only it.
        if (!caller.IsAdmin && !caller.Scopes.HasFlag(KeyScopes.ReadTenant))
        {
            var own = caller.Project!;
            if (scope.TryGetValue(Dimension.Project, out var asked) && asked != own)
            {
                return TypedResults.Problem(title: "Forbidden", detail: $"This key checks project '{own}' only.", statusCode: StatusCodes.Status403Forbidden);
            }

            scope[Dimension.Project] = own;
        }

        var answer = await status.GetAsync(target.Tenant!, scope);
        response.Headers.CacheControl = "private, max-age=" + options.Value.MaxAgeSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(ToView(answer));
    }

    private static BudgetStatusView ToView(ScopeStatus status)
    {
        var budgets = status.Budgets.Select(b => ToView(b.Budget, b.Standing)).ToList();
        return new BudgetStatusView(
            status.Tenant,
            status.Scope.OrderBy(s => s.Key).ToDictionary(s => BudgetScope.NameOf(s.Key), s => s.Value),
            status.WithinBudget,
            budgets.All(b => !b.Projection.ExceedsAmount),
            budgets.Count == 0 ? null : budgets.Min(b => b.RemainingUsd),
            status.ComputedAt,
            budgets);
    }

    private static BudgetStandingView ToView(BudgetDocument budget, BudgetStanding standing) => new(
        budget.Id,
        budget.Name,
        budget.Scope,
        new PeriodWindowView(standing.Period.Start, standing.Period.End),
        budget.AmountUsd,
        standing.SpentUsd,
        standing.RemainingUsd,
        standing.PercentUsed,
        standing.State.ToString().ToLowerInvariant(),
        standing.CrossedThresholds,
        new ProjectionView(standing.Projection.SpendUsd, standing.Projection.Method, standing.Projection.Low, standing.Projection.High, standing.ProjectedToExceed));
}
