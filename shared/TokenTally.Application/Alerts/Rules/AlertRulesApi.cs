using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TokenTally.Application.Projects;
using TokenTally.Core.Alerts.Rules;
using TokenTally.Core.Budgets;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts.Rules;

/// <summary>An alert rule as sent to POST and PUT; see <see cref="AlertRuleValidator"/> for the rules and defaults.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AlertRuleRequest(
    string? Name,
    string? Metric,
    decimal? Threshold,
    Dictionary<string, List<string>?>? Scope = null,
    int? WindowHours = null,
    string? Severity = null,
    int? MinCalls = null,
    List<string>? Channels = null);

/// <summary>What the alert-rule endpoints use.</summary>
public sealed record AlertRuleServices(AlertRuleStore Rules, IChannelDirectory Channels, ProjectStore Projects, TimeProvider Time);

/// <summary>
/// Threshold rules on rollup metrics, a resource of their tenant: the admin key writes them (<c>?tenant=acme</c>); a
/// <c>read:tenant</c> key reads its tenant's, a <c>read:project</c> key those scoped to its project alone.
/// </summary>
public static class AlertRulesApi
{
    public static IEndpointRouteBuilder MapAlertRulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/alert-rules").WithTags("Alerts").ProducesValidationProblem();
        group.MapGet("/", ListAsync).WithName("ListAlertRules").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("The tenant's alert rules (a read:project key: those scoped to its project alone). The admin key names the tenant: ?tenant=acme.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync).WithName("CreateAlertRule").RequireAuthorization(Policies.Manage)
            .WithSummary("Creates a threshold rule on a rollup metric (admin key, ?tenant=acme): metric, threshold, scope, windowHours (default 1), severity (default warning), minCalls, channels.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}", GetAsync).WithName("GetAlertRule").RequireAuthorization(Policies.AdminOrRead)
            .WithSummary("One alert rule, with its ETag.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", ReplaceAsync).WithName("ReplaceAlertRule").RequireAuthorization(Policies.Manage)
            .WithSummary("Replaces an alert rule whole (admin key); with If-Match, only if it is unchanged since (412 otherwise).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteAlertRule").RequireAuthorization(Policies.Manage)
            .WithSummary("Deletes an alert rule (admin key); with If-Match, only if it is unchanged since (412 otherwise).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<AlertRuleDocument>>, ProblemHttpResult>> ListAsync(
        [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] AlertRuleServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "alert rules", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var rules = await services.Rules.ListAsync(target.Tenant!, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<AlertRuleDocument>>(rules.Select(r => r.Rule).Where(r => caller.CanReadScope(r.Scope)).ToList());
    }

    public static async Task<Results<Ok<AlertRuleDocument>, ProblemHttpResult>> GetAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] AlertRuleServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "alert rules", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var stored = await services.Rules.GetAsync(target.Tenant!, id, cancellationToken);
        if (stored is null || !caller.CanReadScope(stored.Rule.Scope))
        {
            return NoSuchRule(id);
        }

        response.Headers.ETag = TenantResources.ETagHeader(stored.ETag);
        return TypedResults.Ok(stored.Rule);
    }

    public static async Task<Results<Created<AlertRuleDocument>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        [FromQuery(Name = "tenant")] string? tenant, AlertRuleRequest rule, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] AlertRuleServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "alert rules", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var (valid, errors) = await ValidateAsync(rule, target.Tenant!, services.Channels, cancellationToken);
        if (valid is null)
        {
            return errors!;
        }

        var now = services.Time.GetUtcNow();
        var document = ToDocument(AlertRuleStore.NewId(), target.Tenant!, valid, now, now);
        var written = await services.Rules.CreateAsync(document, cancellationToken);
        if (!written.Succeeded)
        {
            throw new InvalidOperationException($"A new alert rule id ({document.Id}) was already taken in tenant {document.Tenant}: {written.Status}.");
        }

        response.Headers.ETag = TenantResources.ETagHeader(written.ETag!);
        return TypedResults.Created($"/api/v1/alert-rules/{document.Id}" + (caller.IsAdmin ? $"?tenant={document.Tenant}" : string.Empty), document);
    }

    public static async Task<Results<Ok<AlertRuleDocument>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, AlertRuleRequest rule, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] AlertRuleServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "alert rules", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var current = await services.Rules.GetAsync(target.Tenant!, id, cancellationToken);
        if (current is null)
        {
            return NoSuchRule(id);
        }

        var (valid, errors) = await ValidateAsync(rule, target.Tenant!, services.Channels, cancellationToken);
        if (valid is null)
        {
            return errors!;
        }

        if (!TenantResources.TryIfMatch(request, out var ifMatch) || (ifMatch is not null && ifMatch != current.ETag))
        {
            return Changed(id);
        }

        var document = ToDocument(id, target.Tenant!, valid, current.Rule.CreatedAt, services.Time.GetUtcNow());
        var written = await services.Rules.ReplaceAsync(document, current.ETag, cancellationToken);
        switch (written.Status)
        {
            case WriteStatus.Succeeded:
                response.Headers.ETag = TenantResources.ETagHeader(written.ETag!);
                return TypedResults.Ok(document);
            case WriteStatus.NotFound:
                return NoSuchRule(id);
            default:
                return Changed(id);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] AlertRuleServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "alert rules", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (!TenantResources.TryIfMatch(request, out var ifMatch))
        {
            return await services.Rules.GetAsync(target.Tenant!, id, cancellationToken) is null ? NoSuchRule(id) : Changed(id);
        }

        var deleted = await services.Rules.DeleteAsync(target.Tenant!, id, ifMatch, cancellationToken);
        return deleted.Status switch
        {
            WriteStatus.Succeeded => TypedResults.NoContent(),
            WriteStatus.NotFound => NoSuchRule(id),
            _ => Changed(id),
        };
    }

    private static AlertRuleDocument ToDocument(string id, string tenant, AlertRule rule, DateTimeOffset createdAt, DateTimeOffset updatedAt) => new(
        id,
        tenant,
        rule.Name,
        RuleMetrics.NameOf(rule.Metric),
        rule.Scope.Filters.ToDictionary(f => BudgetScope.NameOf(f.Key), f => f.Value),
        rule.WindowHours,
        rule.Threshold,
        rule.Severity.ToString().ToLowerInvariant(),
        rule.MinCalls,
        rule.Channels,
        createdAt,
        updatedAt);

    /// <summary>Checks the request with the domain's rules, then each well-formed channel id against the tenant's channels.</summary>
    private static async Task<(AlertRule? Rule, ValidationProblem? Errors)> ValidateAsync(AlertRuleRequest request, string tenant, IChannelDirectory channels, CancellationToken cancellationToken)
    {
        var (rule, found) = AlertRuleValidator.Validate(new AlertRuleDraft(
            request.Name, request.Metric, request.Scope?.ToDictionary(f => f.Key, f => (IReadOnlyList<string>?)f.Value), request.WindowHours, request.Threshold,
            request.Severity, request.MinCalls, request.Channels));
        var errors = found.ToList();
        await channels.AddUnknownAsync(tenant, request.Channels, errors, cancellationToken);

        return errors.Count == 0 ? (rule, null) : (null, TenantResources.ValidationProblem(errors));
    }

    private static ProblemHttpResult NoSuchRule(string id) =>
        TypedResults.Problem(title: "Not found", detail: $"No alert rule '{id}' that this key may read.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Changed(string id) =>
        TypedResults.Problem(title: "Precondition failed", detail: $"Alert rule '{id}' has changed since the ETag in If-Match: read it again and retry.", statusCode: StatusCodes.Status412PreconditionFailed);
}
