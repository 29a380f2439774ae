using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TokenTally.Application.Alerts;
using TokenTally.Application.Forecasts;
using TokenTally.Application.Projects;
using TokenTally.Core.Budgets;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Budgets;

/// <summary>A budget as sent to POST and PUT; see <see cref="BudgetValidator"/> for the rules and defaults.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BudgetRequest(
    string? Name,
    BudgetPeriodRequest? Period,
    decimal? AmountUsd,
    Dictionary<string, List<string>?>? Scope = null,
    List<decimal>? Thresholds = null,
    ForecastRequest? Forecast = null,
    List<string>? Channels = null);

/// <summary><c>kind</c>: day, week, month, quarter or fixed (with <c>from</c> and <c>to</c>, yyyy-MM-dd, <c>to</c> exclusive); <c>timeZone</c>: IANA, default UTC.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BudgetPeriodRequest(string? Kind, string? TimeZone = null, string? From = null, string? To = null);

/// <summary>Whether to alert when spend is projected to exceed the amount by the period's end.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ForecastRequest(bool Enabled);

public sealed record BudgetView(
    string Id,
    string Tenant,
    string Name,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Scope,
    BudgetPeriodView Period,
    decimal AmountUsd,
    IReadOnlyList<decimal> Thresholds,
    ForecastView Forecast,
    IReadOnlyList<string> Channels,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The period as defined, and the UTC [start, end) of the one holding now (none for a fixed range not under way).</summary>
public sealed record BudgetPeriodView(string Kind, string TimeZone, string? From, string? To, PeriodWindowView? Current);

public sealed record PeriodWindowView(DateTimeOffset Start, DateTimeOffset End);

/// <summary>The forecast rule: whether it is on, and what it says now (the stored projection of the period under way, or that none is made yet).</summary>
public sealed record ForecastView(bool Enabled, string? Status);

/// <summary>What the budget endpoints use.</summary>
public sealed record BudgetServices(BudgetStore Budgets, IChannelDirectory Channels, ProjectStore Projects, ForecastStore Forecasts, TimeProvider Time);

/// <summary>
/// Budgets of a tenant: the admin key reads and writes any tenant's (naming it: <c>?tenant=acme</c>); a <c>read:tenant</c>
/// key reads its tenant's; a <c>read:project</c> key reads the budgets scoped to its project alone.
/// </summary>
public static class BudgetsApi
{
    /// <summary>What an enabled forecast rule says before the hour run has forecast the period under way.</summary>
    private const string ForecastUnavailable = "no forecast yet for the period under way: the next hour run makes one";

    public static IEndpointRouteBuilder MapBudgetsApi(this IEndpointRouteBuilder app)
    {
        // Every endpoint answers 400 for a bad or missing ?tenant= or an unknown query parameter.
        var group = app.MapGroup("/api/v1/budgets").WithTags("Budgets").ProducesValidationProblem();
        group.MapGet("/", ListAsync).WithName("ListBudgets").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("The tenant's budgets (a read:project key: those scoped to its project alone). The admin key names the tenant: ?tenant=acme.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync).WithName("CreateBudget").RequireAuthorization(Policies.Manage)
            .WithSummary("Creates a budget (admin key or app role TokenTally.Editor, ?tenant=acme): scope, period in an IANA zone, amountUsd, thresholds (default 50, 80, 100 %), forecast rule, channels.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}", GetAsync).WithName("GetBudget").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("One budget, with its ETag and the period now under way.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", ReplaceAsync).WithName("ReplaceBudget").RequireAuthorization(Policies.Manage)
            .WithSummary("Replaces a budget whole (admin key or app role TokenTally.Editor); with If-Match, only if it is unchanged since (412 otherwise).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteBudget").RequireAuthorization(Policies.Manage)
            .WithSummary("Deletes a budget (admin key or app role TokenTally.Editor); with If-Match, only if it is unchanged since (412 otherwise).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<BudgetView>>, ProblemHttpResult>> ListAsync(
        [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] BudgetServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "budgets", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var now = services.Time.GetUtcNow();
        var budgets = await services.Budgets.ListAsync(target.Tenant!, cancellationToken);
        var forecasts = budgets.Any(b => b.Budget.AlertOnForecast)
            ? (await services.Forecasts.ListAsync(target.Tenant!, cancellationToken)).ToDictionary(f => f.Forecast.Series, f => f.Forecast, StringComparer.Ordinal)
            : [];
        return TypedResults.Ok<IReadOnlyList<BudgetView>>(budgets.Where(b => caller.CanReadScope(b.Budget.Scope))
            .Select(b => ToView(b.Budget, now, forecasts.GetValueOrDefault(ForecastStore.BudgetSeries(b.Budget.Id)))).ToList());
    }

    public static async Task<Results<Ok<BudgetView>, ProblemHttpResult>> GetAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] BudgetServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "budgets", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        // A budget the key may not read is answered as missing, as a call of another project is.
        var stored = await services.Budgets.GetAsync(target.Tenant!, id, cancellationToken);
        if (stored is null || !caller.CanReadScope(stored.Budget.Scope))
        {
            return NoSuchBudget(id);
        }

        response.Headers.ETag = TenantResources.ETagHeader(stored.ETag);
        var forecast = stored.Budget.AlertOnForecast ? (await services.Forecasts.GetAsync(target.Tenant!, ForecastStore.BudgetSeries(id), cancellationToken))?.Forecast : null;
        return TypedResults.Ok(ToView(stored.Budget, services.Time.GetUtcNow(), forecast));
    }

    public static async Task<Results<Created<BudgetView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        [FromQuery(Name = "tenant")] string? tenant, BudgetRequest budget, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] BudgetServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "budgets", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var (valid, errors) = await ValidateAsync(budget, target.Tenant!, services.Channels, cancellationToken);
        if (valid is null)
        {
            return errors!;
        }

        var now = services.Time.GetUtcNow();
        var document = ToDocument(BudgetStore.NewId(), target.Tenant!, valid, now, now);
        var written = await services.Budgets.CreateAsync(document, cancellationToken);
        if (!written.Succeeded)
        {
            throw new InvalidOperationException($"A new budget id ({document.Id}) was already taken in tenant {document.Tenant}: {written.Status}.");
        }

        response.Headers.ETag = TenantResources.ETagHeader(written.ETag!);
        return TypedResults.Created(Location(document, caller), ToView(document, now));
    }

    public static async Task<Results<Ok<BudgetView>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, BudgetRequest budget, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] BudgetServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "budgets", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var current = await services.Budgets.GetAsync(target.Tenant!, id, cancellationToken);
        if (current is null)
        {
            return NoSuchBudget(id);
        }

        var (valid, errors) = await ValidateAsync(budget, target.Tenant!, services.Channels, cancellationToken);
        if (valid is null)
        {
            return errors!;
        }

        if (!TenantResources.TryIfMatch(request, out var ifMatch) || (ifMatch is not null && ifMatch != current.ETag))
        {
            return Changed(id);
        }

        var now = services.Time.GetUtcNow();
        var document = ToDocument(id, target.Tenant!, valid, current.Budget.CreatedAt, now);
        var written = await services.Budgets.ReplaceAsync(document, current.ETag, cancellationToken);
        switch (written.Status)
        {
            case WriteStatus.Succeeded:
                response.Headers.ETag = TenantResources.ETagHeader(written.ETag!);
                return TypedResults.Ok(ToView(document, now));
            case WriteStatus.NotFound:
                return NoSuchBudget(id);
            default:
                return Changed(id);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] BudgetServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "budgets", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (!TenantResources.TryIfMatch(request, out var ifMatch))
        {
            return await services.Budgets.GetAsync(target.Tenant!, id, cancellationToken) is null ? NoSuchBudget(id) : Changed(id);
        }

        var deleted = await services.Budgets.DeleteAsync(target.Tenant!, id, ifMatch, cancellationToken);
        return deleted.Status switch
        {
            WriteStatus.Succeeded => TypedResults.NoContent(),
            WriteStatus.NotFound => NoSuchBudget(id),
            _ => Changed(id),
        };
    }

    /// <summary>The budget's definition in the API's terms, with the current period worked out from its zone and the forecast rule's status from <paramref name="forecast"/>.</summary>
    public static BudgetView ToView(BudgetDocument document, DateTimeOffset now, ForecastDocument? forecast = null)
    {
        var budget = document.ToBudget();
        var current = budget.Period.Containing(now);
        var period = document.Period;
        return new BudgetView(
            document.Id,
            document.Tenant,
            document.Name,
            document.Scope,
            new BudgetPeriodView(period.Kind, period.TimeZone, period.From, period.To, current is null ? null : new PeriodWindowView(current.Start, current.End)),
            document.AmountUsd,
            document.Thresholds,
            new ForecastView(document.AlertOnForecast, document.AlertOnForecast ? ForecastStatus(document, current, forecast) : null),
            document.Channels,
            document.CreatedAt,
            document.UpdatedAt);
    }

    /// <summary>The forecast rule's status: the stored projection of the period under way against the amount, or that there is none yet.</summary>
    private static string ForecastStatus(BudgetDocument document, PeriodWindow? current, ForecastDocument? forecast)
    {
        if (current is null || forecast is null || !forecast.Period.Projects(current))
        {
            return ForecastUnavailable;
        }

        var total = forecast.Period.Total;
        var projected = (decimal)total.Value;
        var verdict = projected >= document.AmountUsd ? "projected to exceed the amount" : "projected within the amount";
        return string.Create(CultureInfo.InvariantCulture,
            $"{verdict}: {projected:0.00} USD by the period's end (80 % interval {total.Lower80:0.00} to {total.Upper80:0.00}) of {document.AmountUsd:0.00}, forecast as of {forecast.Origin.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
    }

    private static BudgetDocument ToDocument(string id, string tenant, Budget budget, DateTimeOffset createdAt, DateTimeOffset updatedAt) => new(
        id,
        tenant,
        budget.Name,
        budget.Scope.Filters.ToDictionary(f => BudgetScope.NameOf(f.Key), f => f.Value),
        new BudgetPeriodDocument(
            budget.Period.Kind.ToString().ToLowerInvariant(),
            budget.Period.Zone.Id,
            budget.Period.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            budget.Period.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        budget.AmountUsd,
        budget.Thresholds,
        budget.AlertOnForecast,
        budget.Channels,
        createdAt,
        updatedAt);

    /// <summary>Checks the request with the domain's rules, then each well-formed channel id against the tenant's channels.</summary>
    private static async Task<(Budget? Budget, ValidationProblem? Errors)> ValidateAsync(BudgetRequest request, string tenant, IChannelDirectory channels, CancellationToken cancellationToken)
    {
        var draft = new BudgetDraft(
            request.Name,
            request.Scope?.ToDictionary(f => f.Key, f => (IReadOnlyList<string>?)f.Value),
            request.Period is { } p ? new PeriodDraft(p.Kind, p.TimeZone, p.From, p.To) : null,
            request.AmountUsd,
            request.Thresholds,
            request.Forecast?.Enabled,
            request.Channels);
        var validation = BudgetValidator.Validate(draft);
        var errors = validation.Errors.ToList();
        await channels.AddUnknownAsync(tenant, request.Channels, errors, cancellationToken);

        return errors.Count == 0 ? (validation.Budget, null) : (null, TenantResources.ValidationProblem(errors));
    }

    private static string Location(BudgetDocument budget, Caller caller) =>
        $"/api/v1/budgets/{budget.Id}" + (caller.IsAdmin ? $"?tenant={budget.Tenant}" : string.Empty);

    private static ProblemHttpResult NoSuchBudget(string id) =>
        TypedResults.Problem(title: "Not found", detail: $"No budget '{id}' that this key may read.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Changed(string id) =>
        TypedResults.Problem(title: "Precondition failed", detail: $"Budget '{id}' has changed since the ETag in If-Match: read it again and retry.", statusCode: StatusCodes.Status412PreconditionFailed);
}
